"""What a check says about its verdict, in English or in Bahasa Indonesia.

The rule files hold each rule's title and why in both languages; these are the reasons a check
writes for one run ("12 payment calls checked", "no header Idempotency-Key"). Service names,
paths, headers and fields stay as they are: they are what a reader looks for in the trace.
"""

from __future__ import annotations

from typing import Final

from sandbox.language import LANGUAGES, translate

__all__ = ["LANGUAGES", "REASONS", "reason"]

REASONS: Final[dict[str, dict[str, str]]] = {
    "failed_call": {"en": "{call}: {why}{more}", "id": "{call}: {why}{more}"},
    "more": {"en": " (and {count} more)", "id": " (dan {count} lainnya)"},
    "none_recorded": {"en": "no {what} recorded", "id": "{what}: tidak ada yang terekam"},
    "checked": {"en": "{count} {what} checked", "id": "{count} {what} diperiksa"},
    "what.calls": {"en": "calls", "id": "panggilan"},
    "what.calls_of": {"en": "calls of {parties}", "id": "panggilan {parties}"},
    "what.verifications": {"en": "verification responses", "id": "respons verifikasi"},
    "what.consent_calls": {
        "en": "calls that need consent",
        "id": "panggilan yang memerlukan persetujuan",
    },
    "what.payment_calls": {"en": "payment calls", "id": "panggilan pembayaran"},
    "what.partner_calls": {"en": "partner calls", "id": "panggilan mitra"},
    "what.webhooks": {"en": "webhooks", "id": "webhook"},
    "span": {"en": "span", "id": "span"},
    "forbidden_edge": {"en": "forbidden edge ({edges})", "id": "jalur terlarang ({edges})"},
    "no_edge": {
        "en": "none of {count} calls goes {edges}",
        "id": "tidak satu pun dari {count} panggilan melewati {edges}",
    },
    "field": {"en": "field `{name}`", "id": "kolom `{name}`"},
    "seen_by": {"en": "{found} seen by {parties}", "id": "{found} terlihat oleh {parties}"},
    "not_flags": {
        "en": "response is not a JSON object of flags",
        "id": "respons bukan objek JSON berisi tanda kecocokan",
    },
    "extra_keys": {
        "en": "returns key(s) {keys} beyond the flags",
        "id": "mengembalikan key {keys} selain tanda kecocokan",
    },
    "stored_value": {
        "en": "returns a stored value for {keys}, not a flag",
        "id": "mengembalikan nilai tersimpan untuk {keys}, bukan tanda kecocokan",
    },
    "no_consent": {
        "en": "personal data sent without a `{key}`",
        "id": "data pribadi dikirim tanpa `{key}`",
    },
    "no_header": {"en": "no header {name}", "id": "tanpa header {name}"},
    "no_query": {"en": "no query parameter `{name}`", "id": "tanpa parameter query `{name}`"},
    "no_answer": {"en": "no answer", "id": "tanpa respons"},
    "webhook_unacknowledged": {
        "en": "webhook never acknowledged with a 2xx (got {status})",
        "id": "webhook tidak pernah dijawab dengan 2xx (mendapat {status})",
    },
    "no_sandbox": {
        "en": "no running sandbox: no service URLs to check",
        "id": "tidak ada sandbox yang berjalan: tidak ada URL layanan untuk diperiksa",
    },
    "listens_beyond": {
        "en": "{name} listens on {url}, reachable beyond {hosts}",
        "id": "{name} mendengarkan di {url}, bisa dijangkau di luar {hosts}",
    },
    "listens_on": {
        "en": "{count} services listen on {hosts}",
        "id": "{count} layanan mendengarkan di {hosts}",
    },
    "no_record": {
        "en": "no audit on record; run `sandbox audit --record` once it passes",
        "id": "belum ada audit yang dicatat; jalankan `sandbox audit --record` setelah lulus",
    },
    "added_after": {
        "en": "{names} added after the audit of {when}; audit again and record it "
        "(`sandbox audit --record`)",
        "id": "{names} ditambahkan setelah audit {when}; audit lagi dan catat "
        "(`sandbox audit --record`)",
    },
    "report.header": {
        "en": "Audit of {calls} calls in {traces} traces, {services} services, rule sets: {sets}",
        "id": "Audit atas {calls} panggilan dalam {traces} jejak, {services} layanan, "
        "kumpulan aturan: {sets}",
    },
    "report.verdict": {"en": "VERDICT", "id": "HASIL"},
    "report.title": {"en": "TITLE / REASON", "id": "JUDUL / ALASAN"},
    "report.rule": {"en": "RULE", "id": "ATURAN"},
    "report.evidence": {"en": "evidence: {spans}{more}", "id": "bukti: {spans}{more}"},
    "report.more": {"en": " (+{count} more)", "id": " (+{count} lagi)"},
    "report.why": {"en": "why: {why}", "id": "mengapa: {why}"},
    "report.failed": {
        "en": "FAILED: {failed} of {rules} rules ({ids}). `sandbox trace show <trace>` shows a "
        "call by its span id.",
        "id": "GAGAL: {failed} dari {rules} aturan ({ids}). `sandbox trace show <trace>` "
        "menampilkan sebuah panggilan menurut span id-nya.",
    },
    "report.passed": {
        "en": "PASSED: no rule failed ({rules} rules).",
        "id": "LULUS: tidak ada aturan yang gagal ({rules} aturan).",
    },
    "verdict.pass": {"en": "PASS", "id": "LULUS"},
    "verdict.fail": {"en": "FAIL", "id": "GAGAL"},
    "verdict.not-applicable": {"en": "n/a", "id": "t/b"},
    "seeded_world": {"en": "the seeded world", "id": "dunia awal"},
    "all_covered": {
        "en": "all {count} services covered by the audit of {when}",
        "id": "semua {count} layanan tercakup oleh audit {when}",
    },
}


def reason(lang: str, name: str, /, **values: object) -> str:
    """A check's reason `name` in `lang`, placeholders filled."""
    return translate(REASONS, lang, name, **values)
