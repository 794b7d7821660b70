"""The words a verdict is written in, in the lesson's language (English or Bahasa Indonesia).

A learner following a lesson in Indonesian reads why a step failed in Indonesian too: what was
expected, what happened, the closest calls. Service names, paths, field names and values stay
as they are: they are what the learner looks for on the map and in the trace.
"""

from __future__ import annotations

from typing import Final

from sandbox.language import LANGUAGES, translate

__all__ = ["LANGUAGES", "WORDS", "word"]

WORDS: Final[dict[str, dict[str, str]]] = {
    "anyone": {"en": "anyone", "id": "siapa pun"},
    "any_service": {"en": "any service", "id": "layanan mana pun"},
    "attr.caller": {"en": "caller", "id": "pemanggil"},
    "attr.callee": {"en": "callee", "id": "yang dipanggil"},
    "side.request": {"en": "request", "id": "permintaan"},
    "side.response": {"en": "response", "id": "respons"},
    "is_not": {"en": "{what} is {got}, not {wanted}", "id": "{what} {got}, bukan {wanted}"},
    "method_is_not": {
        "en": "method is {got}, not {wanted}",
        "id": "metode {got}, bukan {wanted}",
    },
    "path_is": {"en": "path is {path}", "id": "path-nya {path}"},
    "status_is_not": {
        "en": "status is {got}, not {wanted}",
        "id": "status {got}, bukan {wanted}",
    },
    "no_response": {"en": "no response ({error})", "id": "tanpa respons ({error})"},
    "failed": {"en": "failed ({error})", "id": "gagal ({error})"},
    "body_has_no": {"en": "the {side} has no {path}", "id": "{side} tidak memuat {path}"},
    "field_is_not": {
        "en": "{side} {path} is {got}, not {wanted}",
        "id": "{side} {path} bernilai {got}, bukan {wanted}",
    },
    "body_lacks": {"en": "the {side} lacks {path}", "id": "{side} tidak memuat {path}"},
    "body_has": {"en": "the {side} has {path}", "id": "{side} memuat {path}"},
    "header_lacks": {
        "en": "the request lacks header {name}",
        "id": "permintaan tidak membawa header {name}",
    },
    "header_has": {
        "en": "the request has header {name}",
        "id": "permintaan membawa header {name}",
    },
    "after_expected": {"en": "{words}, after: {after}", "id": "{words}, sesudah: {after}"},
    "after_never": {
        "en": "{after} never happened, so nothing came after it",
        "id": "{after} tidak pernah terjadi, jadi tidak ada yang datang sesudahnya",
    },
    "no_call_words": {"en": "no call {words}", "id": "tidak ada panggilan {words}"},
    "such_calls": {
        "en": "{count} such call(s): {calls}",
        "id": "{count} panggilan seperti itu: {calls}",
    },
    "exactly": {
        "en": "exactly {count} call(s) {words}",
        "id": "tepat {count} panggilan {words}",
    },
    "none": {"en": "none", "id": "tidak ada"},
    "a_call": {"en": "a call {words}", "id": "sebuah panggilan {words}"},
    "no_call": {"en": "no call", "id": "tidak ada panggilan"},
    "closest": {"en": "closest: {calls}", "id": "yang paling mirip: {calls}"},
    "status": {"en": "status {status}", "id": "status {status}"},
    "side_has": {"en": "{side} has {paths}", "id": "{side} memuat {paths}"},
    "side_lacks": {"en": "{side} lacks {paths}", "id": "{side} tanpa {paths}"},
    "header": {"en": "header {names}", "id": "header {names}"},
    "no_header": {"en": "no header {names}", "id": "tanpa header {names}"},
    "audit_rule": {"en": "audit rule {rule} {outcome}", "id": "aturan audit {rule} {outcome}"},
    "outcome.pass": {"en": "pass", "id": "lulus"},
    "outcome.fail": {"en": "fail", "id": "gagal"},
    "outcome.not-applicable": {"en": "not applicable", "id": "tidak berlaku"},
    "audit_has_no_rule": {
        "en": "the audit has no rule {rule}",
        "id": "audit tidak punya aturan {rule}",
    },
    "list.header": {
        "en": "#|lesson|length|steps|progress|exercises",
        "id": "#|pelajaran|durasi|langkah|kemajuan|latihan",
    },
    "list.minutes": {"en": "{minutes} min", "id": "{minutes} menit"},
    "list.done": {"en": "done", "id": "selesai"},
    "list.broken": {
        "en": "{slug} (broken: see `sandbox lesson lint`)",
        "id": "{slug} (rusak: lihat `sandbox lesson lint`)",
    },
    "list.none": {"en": "No lessons in {root}.", "id": "Tidak ada pelajaran di {root}."},
    "list.footer": {
        "en": "Exercises live in {folder}. Start one with `sandbox learn N`.",
        "id": "Latihan disimpan di {folder}. Mulai dengan `sandbox learn N`.",
    },
    "never_words": {"en": "no call {words}", "id": "tidak ada panggilan {words}"},
    "count_words": {"en": "{words} (exactly {count})", "id": "{words} (tepat {count})"},
}


def word(lang: str, key: str, /, **values: object) -> str:
    """A verdict's words `key` in `lang`, placeholders filled."""
    return translate(WORDS, lang, key, **values)
