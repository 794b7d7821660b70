"""What the stories say as they run, in English and in Bahasa Indonesia.

A student following a lesson in Indonesian, or a presenter running the stories screen in
Indonesian, reads the story's steps in that language; the calls themselves are the same.
Placeholders are filled by `Story.say`; amounts come already written as rupiah by `rupiah`.
"""

from __future__ import annotations

from typing import Final

from sandbox.language import LANGUAGES, translate

__all__ = ["LANGUAGES", "TEXTS", "rupiah", "say"]

TEXTS: Final[dict[str, dict[str, str]]] = {
    "run.against": {
        "en": "Running `{story}` against {where}",
        "id": "Menjalankan `{story}` pada {where}",
    },
    "run.started_here": {
        "en": "a sandbox started for this run",
        "id": "sandbox yang dinyalakan untuk ini",
    },
    "run.running": {"en": "the sandbox pid {pid}", "id": "sandbox dengan pid {pid}"},
    "run.ok": {
        "en": "OK: `{story}` finished as the story says.",
        "id": "OK: `{story}` selesai seperti yang diceritakan.",
    },
    "run.failed": {"en": "FAILED: {reason}", "id": "GAGAL: {reason}"},
    # -- when a story stops ----------------------------------------------------------------
    "failed.unreachable": {
        "en": "a service could not be reached: {error}",
        "id": "sebuah layanan tidak dapat dihubungi: {error}",
    },
    "failed.http": {
        "en": "{what}: expected HTTP {status}, got {got}: {detail}",
        "id": "{what}: seharusnya HTTP {status}, ternyata {got}: {detail}",
    },
    "failed.no_card": {
        "en": "video {video} shows no card for product {product}",
        "id": "video {video} tidak menampilkan kartu produk {product}",
    },
    "failed.retry": {
        "en": "the retried payment was not recognised: HTTP {status}",
        "id": "pembayaran yang diulang tidak dikenali: HTTP {status}",
    },
    "failed.never_paid": {
        "en": "the social app never showed order {order} as paid",
        "id": "aplikasi sosial tidak pernah menampilkan pesanan {order} sebagai terbayar",
    },
    "failed.moved": {
        "en": "expected {amount} to leave the account once, moved {moved}",
        "id": "seharusnya {amount} keluar dari rekening satu kali, ternyata {moved}",
    },
    "failed.has_account": {
        "en": "{name} already has an account (from an earlier run); `sandbox reset` restores "
        "the seeded world",
        "id": "{name} sudah punya rekening (dari percobaan sebelumnya); `sandbox reset` "
        "memulihkan dunia awal",
    },
    "failed.new_balance": {
        "en": "a new account should start at {zero}, not {balance}",
        "id": "rekening baru seharusnya bersaldo {zero}, bukan {balance}",
    },
    "failed.not_confirmed": {
        "en": "the registry did not confirm the patient",
        "id": "registri tidak mengonfirmasi pasien itu",
    },
    "what.video": {"en": "video", "id": "video"},
    "what.buy": {"en": "buy", "id": "beli"},
    "what.checkout page": {"en": "checkout page", "id": "halaman checkout"},
    "what.bank login": {"en": "bank login", "id": "masuk ke bank"},
    "what.balance": {"en": "balance", "id": "saldo"},
    "what.payment": {"en": "payment", "id": "pembayaran"},
    "what.registration": {"en": "registration", "id": "pendaftaran rekening"},
    "what.login": {"en": "login", "id": "masuk"},
    "what.account": {"en": "account", "id": "rekening"},
    "what.admission": {"en": "admission", "id": "pendaftaran pasien"},
    "run.export_hint": {
        "en": "(sandbox trace export {trace} --format mermaid  draws it as a diagram)",
        "id": "(sandbox trace export {trace} --format mermaid  menggambarnya sebagai diagram)",
    },
    "story.stopped": {
        "en": "The story stopped: {reason}",
        "id": "Cerita berhenti: {reason}",
    },
    # -- checkout -------------------------------------------------------------------------------
    "checkout.watch": {
        "en": "{name} watches video {video} in the social app",
        "id": "{name} menonton video {video} di aplikasi sosial",
    },
    "checkout.card": {
        "en": "    product card: {product} - {price} (from the marketplace)",
        "id": "    kartu produk: {product} - {price} (dari marketplace)",
    },
    "checkout.buy": {
        "en": "She taps Buy: the social app creates the order at the marketplace",
        "id": "Ia mengetuk Beli: aplikasi sosial membuat pesanan di marketplace",
    },
    "checkout.order": {
        "en": "    order {order}: {amount}, status {status}",
        "id": "    pesanan {order}: {amount}, status {status}",
    },
    "checkout.page": {
        "en": "The checkout page (served by the marketplace, inside the social app)",
        "id": "Halaman checkout (disajikan marketplace, di dalam aplikasi sosial)",
    },
    "checkout.pay_to": {
        "en": "    pay {amount} to VA {va} at {bank}",
        "id": "    bayar {amount} ke VA {va} di {bank}",
    },
    "checkout.pay": {
        "en": "She opens her bank app and pays the virtual account",
        "id": "Ia membuka aplikasi banknya dan membayar virtual account itu",
    },
    "checkout.paid": {
        "en": "    paid, reference {reference}",
        "id": "    terbayar, referensi {reference}",
    },
    "checkout.retry": {
        "en": "Her phone lost the answer and retries (same idempotency key)",
        "id": "Ponselnya tidak menerima jawaban lalu mencoba lagi (kunci idempotensi yang sama)",
    },
    "checkout.retried": {
        "en": "    the bank answered with the first payment; nothing charged again",
        "id": "    bank menjawab dengan pembayaran pertama; tidak ada tagihan kedua",
    },
    "checkout.notify": {
        "en": "The bank notifies the marketplace; the marketplace notifies the social app",
        "id": "Bank memberi tahu marketplace; marketplace memberi tahu aplikasi sosial",
    },
    "checkout.shown": {
        "en": "    the social app shows order {order}: {status}",
        "id": "    aplikasi sosial menampilkan pesanan {order}: {status}",
    },
    "checkout.check": {
        "en": "Check: the money moved exactly once",
        "id": "Periksa: uang berpindah tepat satu kali",
    },
    "checkout.balance": {
        "en": "    balance {before} -> {after} ({moved}, once)",
        "id": "    saldo {before} -> {after} ({moved}, satu kali)",
    },
    # -- open an account ------------------------------------------------------------------------
    "account.apply": {
        "en": "{name} applies for an account in the bank's app",
        "id": "{name} mengajukan pembukaan rekening di aplikasi bank",
    },
    "account.verified": {
        "en": "The bank verified her at the civil registry (consent, then match flags)",
        "id": "Bank memverifikasinya di registri kependudukan (persetujuan, lalu tanda kecocokan)",
    },
    "account.login": {
        "en": "She logs in with her new PIN",
        "id": "Ia masuk dengan PIN barunya",
    },
    "account.open": {
        "en": "    account {account} is open, balance {balance}",
        "id": "    rekening {account} sudah dibuka, saldo {balance}",
    },
    # -- hospital admission ---------------------------------------------------------------------
    "admission.arrive": {
        "en": "{name} arrives at the reception desk of {hospital} and hands over the ID card",
        "id": "{name} datang ke loket pendaftaran {hospital} dan menyerahkan KTP",
    },
    "admission.admit": {
        "en": "One action on the desk's screen: admit (identity, records, insurance, billing "
        "behind it)",
        "id": "Satu tindakan di layar loket: daftarkan (identitas, rekam medis, asuransi, "
        "tagihan di belakangnya)",
    },
    "admission.identity": {
        "en": "The civil registry answered with match flags, never the record",
        "id": "Registri kependudukan menjawab dengan tanda kecocokan, tidak pernah dengan datanya",
    },
    "admission.records": {
        "en": "The health-records platform knows the patient and opened an encounter",
        "id": "Platform rekam medis mengenal pasien itu dan membuka kunjungan (encounter)",
    },
    "admission.patient": {
        "en": "    patient {patient}, encounter {encounter}",
        "id": "    pasien {patient}, kunjungan {encounter}",
    },
    "admission.insurance": {
        "en": "The insurer checked eligibility",
        "id": "Asuransi memeriksa kepesertaan",
    },
    "admission.sep": {"en": ", SEP {value}", "id": ", SEP {value}"},
    "admission.billing": {
        "en": "Billing: the bank holds a virtual account only for what is not covered",
        "id": "Tagihan: bank menyiapkan virtual account hanya untuk yang tidak ditanggung",
    },
    "admission.pay_to": {
        "en": "    pay {amount} to VA {va}",
        "id": "    bayar {amount} ke VA {va}",
    },
    "admission.covered": {
        "en": "    nothing to pay at the desk: covered by insurance",
        "id": "    tidak ada yang dibayar di loket: ditanggung asuransi",
    },
}


def say(lang: str, key: str, /, **values: object) -> str:
    """A story's line `key` in `lang`, placeholders filled."""
    return translate(TEXTS, lang, key, **values)


def rupiah(amount: int, lang: str) -> str:
    """An amount as people write it: Rp185,000 in English, Rp185.000 in Indonesian."""
    grouped = f"{amount:,}"
    return "Rp" + (grouped.replace(",", ".") if lang == "id" else grouped)
