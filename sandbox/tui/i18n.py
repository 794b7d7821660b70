"""Every string the UI shows, in English and Bahasa Indonesia, in one catalogue.

Widgets and screens ask `t("key")`; nothing user-facing is a literal elsewhere, so a
translation is one edit here. Missing Indonesian entries fall back to English, and a test
checks both languages have the same keys.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("en", "id")
_lang = "en"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    # modes and navigation
    "mode.map": {"en": "Map", "id": "Peta"},
    "mode.trace": {"en": "Trace", "id": "Jejak"},
    "mode.faces": {"en": "Apps", "id": "Aplikasi"},
    "mode.services": {"en": "Services", "id": "Layanan"},
    "mode.composer": {"en": "Composer", "id": "Penyusun"},
    "mode.scenarios": {"en": "Stories", "id": "Cerita"},
    "key.help": {"en": "Help", "id": "Bantuan"},
    "key.screenshot": {"en": "Screenshot", "id": "Tangkapan layar"},
    "key.theme": {"en": "Light/dark", "id": "Terang/gelap"},
    "key.reset": {"en": "Reset world", "id": "Atur ulang dunia"},
    "key.filter": {"en": "Filter", "id": "Saring"},
    "key.trace": {"en": "Open trace", "id": "Buka jejak"},
    "key.quit": {"en": "Quit", "id": "Keluar"},
    # status and notices
    "app.title": {"en": "Integration sandbox", "id": "Sandbox integrasi"},
    "app.connecting": {"en": "Starting the institutions…", "id": "Menyalakan lembaga-lembaga…"},
    "app.connected": {
        "en": "Connected to the sandbox at {url}",
        "id": "Terhubung ke sandbox di {url}",
    },
    "app.lost": {
        "en": "Lost the event stream ({reason}); reconnecting…",
        "id": "Aliran kejadian terputus ({reason}); menyambung ulang…",
    },
    "app.screenshot_saved": {
        "en": "Screenshot saved to {path}",
        "id": "Tangkapan layar disimpan di {path}",
    },
    "app.reset_done": {"en": "The seeded world is restored.", "id": "Dunia awal sudah dipulihkan."},
    "app.failed": {"en": "{what} failed: {reason}", "id": "{what} gagal: {reason}"},
    # map screen
    "map.calls": {"en": "Calls", "id": "Panggilan"},
    "map.detail": {"en": "Call detail", "id": "Rincian panggilan"},
    "map.empty": {
        "en": "No call selected. Run a story (5) or use an app (3).",
        "id": "Belum ada panggilan dipilih. Jalankan cerita (5) atau pakai aplikasi (3).",
    },
    "map.caused_by": {"en": "caused by the tap: {tap}", "id": "akibat ketukan: {tap}"},
    "filter.placeholder": {
        "en": "filter: text, service:bank, status:4xx",
        "id": "saring: teks, service:bank, status:4xx",
    },
    # trace screen
    "trace.none": {
        "en": "Select a call and press t to open its trace.",
        "id": "Pilih panggilan lalu tekan t untuk membuka jejaknya.",
    },
    "trace.position": {"en": "arrow {index} of {total}", "id": "panah {index} dari {total}"},
    # services screen
    "services.tables": {
        "en": "Tables in {name}'s own database",
        "id": "Tabel di basis data milik {name}",
    },
    "services.offline": {"en": "Take offline", "id": "Matikan"},
    "services.latency": {"en": "Latency (ms)", "id": "Latensi (md)"},
    "services.error_rate": {"en": "Error rate (%)", "id": "Tingkat galat (%)"},
    "services.apply": {"en": "Apply", "id": "Terapkan"},
    "services.restore": {"en": "Restore", "id": "Pulihkan"},
    "services.fault_set": {"en": "{name}: {fault}", "id": "{name}: {fault}"},
    "services.healthy": {"en": "healthy", "id": "sehat"},
    # stories screen
    "stories.run": {"en": "Run", "id": "Jalankan"},
    "stories.step_mode": {"en": "Pause before each step", "id": "Jeda sebelum tiap langkah"},
    "stories.continue": {"en": "Continue", "id": "Lanjut"},
    "stories.waiting": {
        "en": "Paused before: {step}  (press n to continue)",
        "id": "Jeda sebelum: {step}  (tekan n untuk lanjut)",
    },
    "stories.ok": {"en": "Finished as the story says.", "id": "Selesai sesuai cerita."},
    "stories.failed": {
        "en": "Did not end as the story says: {reason}",
        "id": "Tidak berakhir sesuai cerita: {reason}",
    },
    "stories.checkout": {
        "en": "Checkout from a video (no jump app)",
        "id": "Belanja dari video (tanpa pindah aplikasi)",
    },
    "stories.open-account": {
        "en": "Open a bank account (identity check)",
        "id": "Buka rekening bank (cek identitas)",
    },
}


def set_language(lang: str) -> None:
    """Choose the UI language (`en` or `id`)."""
    global _lang
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    _lang = lang


def language() -> str:
    """The current UI language."""
    return _lang


def t(key: str, **values: object) -> str:
    """The text for `key` in the current language, with `{placeholders}` filled in."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(_lang) or entry["en"]
    return text.format(**values) if values else text
