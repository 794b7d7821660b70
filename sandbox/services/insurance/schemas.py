"""Request and response bodies in VClaim's own field names.

VClaim writes camelCase Indonesian names: `noKartu` (card number), `tglSep` (SEP date),
`ppkPelayanan` (the serving facility's code), `jnsPelayanan` (service type), `klsRawat` (care
class), `noMR` (the hospital's medical-record number), `diagAwal` (first diagnosis, ICD-10),
`poli` (clinic). Python names stay snake_case, mapped with aliases.

The real `t_sep` has many more fields (cob, katarak, jaminan, skdp, dpjpLayan...). The sandbox
ignores the ones it does not use instead of refusing them, so a client written for the real
VClaim still works; every field it *does* use has a strict format and size.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

CARD_EXAMPLE = "9999000000035"
ICD10_PATTERN = r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$"


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class _Out(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# --- envelope ----------------------------------------------------------------------------------


class MetaData(BaseModel):
    """VClaim's status: `code` is a string ("200" OK, "201" refused or not found...)."""

    code: str = Field(examples=["200"])
    message: str = Field(examples=["OK"])


# --- eligibility (Peserta) ---------------------------------------------------------------------


class CodeName(BaseModel):
    """A coded value: `kode` and its `keterangan` (description)."""

    kode: str
    keterangan: str


class Provider(_Out):
    """The member's primary clinic (faskes tingkat pertama)."""

    kd_provider: str = Field(alias="kdProvider", examples=["0301U001"])
    nm_provider: str = Field(alias="nmProvider", examples=["Klinik Pratama Sukamaju"])


class Peserta(_Out):
    """Membership only: who is covered, in which class, and whether the premiums are paid.

    There is no diagnosis, visit or claim here: eligibility never returns medical history.
    """

    no_kartu: str = Field(alias="noKartu", examples=[CARD_EXAMPLE])
    nama: str = Field(examples=["SARI WULANDARI"])
    sex: Literal["L", "P"]
    hak_kelas: CodeName = Field(alias="hakKelas")
    jenis_peserta: CodeName = Field(alias="jenisPeserta")
    status_peserta: CodeName = Field(
        alias="statusPeserta", description='"0" AKTIF; anything else (e.g. "2" arrears) is not.'
    )
    prov_umum: Provider = Field(alias="provUmum")


class PesertaBody(BaseModel):
    """`response` of an eligibility check."""

    peserta: Peserta


class PesertaAnswer(_Out):
    """The envelope of an eligibility check."""

    meta_data: MetaData = Field(alias="metaData")
    response: PesertaBody | None


# --- SEP -----------------------------------------------------------------------------------------


class KelasRawat(_In):
    """The care class the member is entitled to, and the class asked for when it is raised.

    SEP 2.0 carries a class upgrade ("naik kelas") in the same object: `klsRawatNaik` is the
    room the patient asked for, `pembiayaan` who pays the difference and `penanggungJawab`
    that payer's name. All three stay empty ("") without an upgrade, as VClaim sends them.
    """

    kls_rawat_hak: Literal["1", "2", "3"] = Field(alias="klsRawatHak")
    kls_rawat_naik: Literal["", "1", "2", "3", "4", "5", "6", "7", "8"] = Field(
        default="",
        alias="klsRawatNaik",
        description='The raised class: "1" VVIP, "2" VIP, "3" Kelas 1, "4" Kelas 2, '
        '"5" Kelas 3, "6" ICCU, "7" ICU, "8" above Kelas 1; "" for no upgrade.',
    )
    pembiayaan: Literal["", "1", "2", "3"] = Field(
        default="",
        description='Who pays the difference: "1" the member (Pribadi), "2" the employer, '
        '"3" supplementary health insurance; only with klsRawatNaik.',
    )
    penanggung_jawab: str = Field(
        default="",
        alias="penanggungJawab",
        max_length=100,
        description='The payer\'s name, e.g. "Pribadi"; only with klsRawatNaik.',
    )


class Rujukan(_In):
    """The referral that brought the patient (optional in the sandbox)."""

    asal_rujukan: str | None = Field(default=None, alias="asalRujukan", max_length=1)
    tgl_rujukan: str | None = Field(default=None, alias="tglRujukan", max_length=10)
    no_rujukan: str | None = Field(default=None, alias="noRujukan", max_length=30)
    ppk_rujukan: str | None = Field(default=None, alias="ppkRujukan", max_length=8)


class Poli(_In):
    """The clinic the patient goes to (empty for an inpatient stay)."""

    tujuan: str = Field(default="", max_length=10, examples=["INT"])


class TSep(_In):
    """`t_sep`: one visit to be covered."""

    no_kartu: str = Field(alias="noKartu", pattern=r"^[0-9]{13}$", description="13-digit card.")
    tgl_sep: str = Field(alias="tglSep", max_length=10, description="yyyy-MM-dd.")
    ppk_pelayanan: str = Field(
        alias="ppkPelayanan", min_length=8, max_length=8, description="Your facility code."
    )
    jns_pelayanan: Literal["1", "2"] = Field(
        alias="jnsPelayanan", description='"1" inpatient (Rawat Inap), "2" outpatient.'
    )
    kls_rawat: KelasRawat = Field(alias="klsRawat")
    no_mr: str = Field(alias="noMR", min_length=1, max_length=30)
    rujukan: Rujukan | None = None
    diag_awal: str = Field(alias="diagAwal", pattern=ICD10_PATTERN, description="ICD-10.")
    poli: Poli | None = None
    user: str = Field(min_length=1, max_length=50, description="Who at the desk issued it.")


class SepRequest(_In):
    """`request.t_sep`."""

    t_sep: TSep


class SepInsert(_In):
    """The body of `POST /vclaim-rest/SEP/2.0/insert`."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "request": {
                        "t_sep": {
                            "noKartu": CARD_EXAMPLE,
                            "tglSep": "2024-03-01",
                            "ppkPelayanan": "0301R001",
                            "jnsPelayanan": "2",
                            "klsRawat": {"klsRawatHak": "1"},
                            "noMR": "MR-000123",
                            "rujukan": {"asalRujukan": "1", "noRujukan": "0301U0010324P000001"},
                            "diagAwal": "A09",
                            "poli": {"tujuan": "INT"},
                            "user": "desk-1",
                        }
                    }
                }
            ]
        },
    )

    request: SepRequest


class TSepDelete(_In):
    """`t_sep` of a deletion."""

    no_sep: str = Field(alias="noSep", min_length=1, max_length=19)
    user: str = Field(min_length=1, max_length=50)


class SepDeleteRequest(_In):
    """`request.t_sep` of a deletion."""

    t_sep: TSepDelete


class SepDelete(_In):
    """The body of `DELETE /vclaim-rest/SEP/2.0/delete`."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [{"request": {"t_sep": {"noSep": "0301R0010324V000001", "user": "desk-1"}}}]
        },
    )

    request: SepDeleteRequest


class SepPeserta(_Out):
    """The member as printed on the SEP."""

    no_kartu: str = Field(alias="noKartu")
    nama: str
    tgl_lahir: str = Field(alias="tglLahir")
    kelamin: Literal["L", "P"]
    jns_peserta: str = Field(alias="jnsPeserta")
    hak_kelas: str = Field(alias="hakKelas")
    no_mr: str = Field(alias="noMr")


class SepKelas(_Out):
    """The class on an issued SEP: the entitlement, and the upgrade if one was asked for."""

    kls_rawat_hak: str = Field(alias="klsRawatHak", examples=["2"])
    kls_rawat_naik: str = Field(alias="klsRawatNaik", examples=["3"])
    pembiayaan: str = Field(examples=["1"])
    penanggung_jawab: str = Field(alias="penanggungJawab", examples=["Pribadi"])


class Sep(_Out):
    """An issued SEP (Surat Eligibilitas Peserta)."""

    no_sep: str = Field(alias="noSep", examples=["0301R0010324V000001"])
    tgl_sep: str = Field(alias="tglSep", examples=["2024-03-01"])
    ppk_pelayanan: str = Field(alias="ppkPelayanan", examples=["0301R001"])
    jns_pelayanan: str = Field(alias="jnsPelayanan", examples=["Rawat Jalan"])
    kelas_rawat: str = Field(
        alias="kelasRawat", examples=["1"], description="The entitled class: it is what is covered."
    )
    kls_rawat: SepKelas = Field(alias="klsRawat")
    diagnosa: str = Field(examples=["A09"])
    poli: str = Field(examples=["INT"])
    no_rujukan: str = Field(alias="noRujukan", examples=[""])
    peserta: SepPeserta


class SepBody(BaseModel):
    """`response` of an SEP insert or get."""

    sep: Sep


class SepAnswer(_Out):
    """The envelope of an SEP insert or get."""

    meta_data: MetaData = Field(alias="metaData")
    response: SepBody | None


class DeletedAnswer(_Out):
    """The envelope of a deletion: `response` is the deleted noSep."""

    meta_data: MetaData = Field(alias="metaData")
    response: str | None = Field(examples=["0301R0010324V000001"])


def dump(model: BaseModel) -> dict[str, Any]:
    """A model as VClaim writes it (camelCase aliases)."""
    return model.model_dump(by_alias=True)
