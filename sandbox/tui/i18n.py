"""Every string the UI shows, in English and Bahasa Indonesia, in one catalogue.

Widgets and screens ask `t("key")` when they show something; nothing user-facing is a literal
elsewhere (a test reads their source to check), so a translation is one edit here. Keys are
grouped by prefix: `app.`, `map.`, `trace.`, `faces.`, `services.`, `stories.`, `composer.`,
`audit.`, `lesson.`, `presenter.`, `jump.` (the screens), `log.`, `detail.`, `sequence.`,
`callmap.` (the widgets), `help.`, `area.` (command palette areas), `key.` (key bindings) and
`textual.` (Textual's own words). Both languages have exactly the same keys and the same
`{placeholders}` per key (tested); a missing Indonesian entry would fall back to English.

Texts are looked up when shown, never at import time, so the language chosen at start-up
(`--lang id`) reaches every screen:

- `HELP = Lazy("map.help")`: the Markdown help is looked up each time Textual or the help
  screen reads `HELP`.
- Key bindings. Textual turns `BINDINGS` into binding maps when a class is created, at import,
  before the language is known, so every `Binding` keeps a stable English description and
  tooltip (`t("key.<id>")` read at import) and is translated at render time, by its `id`:
  the screens derive from `TranslatedBindings`, whose `active_bindings` (what the footer, the
  keys panel and the command palette read) swap each binding for a copy with
  `key.<binding id>` as description and `key.<binding id>.tip` as tooltip in the current
  language. Key dispatch and keymaps are untouched. Textual's own bindings and palette
  commands have no id of ours; they are matched by their English text against the
  `textual.` entries (`textual_text`), and the app opens the palette with a translated
  search prompt.
- Faces write markup with `{name}` placeholders too; `widgets.faces.text` turns them into
  Textual's escaped `${name}` template variables.

Institution names, HTTP methods, paths, status codes, header and field names, and what the
institutions themselves answer stay as they are in both languages.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Final

from textual.binding import ActiveBinding, Binding

from sandbox.language import LANGUAGES

if TYPE_CHECKING:
    from textual.screen import Screen

    _ScreenBase = Screen[Any]
else:
    _ScreenBase = object

_lang = "en"

CATALOGUE: Final[dict[str, dict[str, str]]] = {
    # -- the app and its keys ---------------------------------------------------------------
    "app.title": {"en": "Integration sandbox", "id": "Sandbox integrasi"},
    "app.connecting": {"en": "Starting the institutions…", "id": "Menyalakan lembaga-lembaga…"},
    "app.connected": {
        "en": "Connected to the sandbox at {url}",
        "id": "Terhubung ke sandbox di {url}",
    },
    "app.unreachable": {"en": "The sandbox does not answer ({reason}). Is it still running?",
                        "id": "Sandbox tidak menjawab ({reason}). Apakah masih berjalan?"},
    "app.reconnected": {"en": "Connected to the sandbox again.",
                        "id": "Tersambung lagi ke sandbox."},
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
    "key.app.map": {"en": "Map", "id": "Peta"},
    "key.app.map.tip": {
        "en": "Institutions and every call between them",
        "id": "Lembaga-lembaga dan setiap panggilan di antara mereka",
    },
    "key.app.trace": {"en": "Trace", "id": "Jejak"},
    "key.app.trace.tip": {
        "en": "Replay one trace arrow by arrow",
        "id": "Putar ulang satu jejak, panah demi panah",
    },
    "key.app.faces": {"en": "Apps", "id": "Aplikasi"},
    "key.app.faces.tip": {"en": "The apps people use", "id": "Aplikasi yang dipakai orang"},
    "key.app.services": {"en": "Services", "id": "Layanan"},
    "key.app.services.tip": {
        "en": "Databases, faults, reset",
        "id": "Basis data, gangguan, atur ulang",
    },
    "key.app.stories": {"en": "Stories", "id": "Cerita"},
    "key.app.stories.tip": {
        "en": "Run a story, step by step",
        "id": "Jalankan sebuah cerita, langkah demi langkah",
    },
    "key.app.composer": {"en": "Composer", "id": "Penyusun"},
    "key.app.composer.tip": {"en": "Send your own request", "id": "Kirim permintaan sendiri"},
    "key.app.audit": {"en": "Audit", "id": "Audit"},
    "key.app.audit.tip": {
        "en": "Check the calls against the rules",
        "id": "Periksa panggilan terhadap aturan",
    },
    "key.app.lesson": {"en": "Lesson", "id": "Pelajaran"},
    "key.app.lesson.tip": {
        "en": "Back to the open lesson",
        "id": "Kembali ke pelajaran yang terbuka",
    },
    "key.app.help": {"en": "Help", "id": "Bantuan"},
    "key.app.help.tip": {"en": "Explain this screen", "id": "Jelaskan layar ini"},
    "key.app.screenshot": {"en": "Screenshot", "id": "Tangkapan layar"},
    "key.app.screenshot.tip": {
        "en": "Save an SVG of the screen for slides",
        "id": "Simpan SVG layar ini untuk salindia",
    },
    "key.app.theme": {"en": "Light/dark", "id": "Terang/gelap"},
    "key.app.theme.tip": {
        "en": "Switch between light and dark",
        "id": "Beralih antara tema terang dan gelap",
    },
    "key.app.reset": {"en": "Reset world", "id": "Atur ulang dunia"},
    "key.app.reset.tip": {"en": "Restore the seeded world", "id": "Pulihkan dunia awal"},
    # command palette areas ("area: action")
    "area.app": {"en": "app", "id": "umum"},
    "area.map": {"en": "map", "id": "peta"},
    "area.faces": {"en": "faces", "id": "aplikasi"},
    "area.services": {"en": "services", "id": "layanan"},
    "area.stories": {"en": "stories", "id": "cerita"},
    "area.composer": {"en": "composer", "id": "penyusun"},
    "area.audit": {"en": "audit", "id": "audit"},
    "area.lesson": {"en": "lesson", "id": "pelajaran"},
    "area.presenter": {"en": "presenter", "id": "penyaji"},
    "area.jump": {"en": "jump", "id": "lompat"},
    "area.log": {"en": "log", "id": "log"},
    "area.detail": {"en": "detail", "id": "rincian"},
    "area.sequence": {"en": "sequence", "id": "urutan"},
    "area.help": {"en": "help", "id": "bantuan"},
    "area.social": {"en": "social", "id": "sosial"},
    "area.bank": {"en": "bank", "id": "bank"},
    "area.screen": {"en": "screen", "id": "layar"},
    # -- help screen ------------------------------------------------------------------------
    "help.general": {
        "en": """\
## Everywhere

- **1** map · **2** trace player · **3** apps · **4** services · **5** stories · **6** composer
- **7** audit · **8** the open lesson (`sandbox learn`, `sandbox present`)
- **ctrl+p** every action by name · **ctrl+s** save an SVG screenshot · **ctrl+t** light/dark
- **ctrl+r** restore the seeded world · **ctrl+q** quit · **Esc** closes this help
""",
        "id": """\
## Di mana saja

- **1** peta · **2** pemutar jejak · **3** aplikasi · **4** layanan · **5** cerita · **6** penyusun
- **7** audit · **8** pelajaran yang terbuka (`sandbox learn`, `sandbox present`)
- **ctrl+p** semua aksi menurut namanya · **ctrl+s** simpan tangkapan layar SVG
- **ctrl+t** terang/gelap · **ctrl+r** pulihkan dunia awal · **ctrl+q** keluar
- **Esc** menutup bantuan ini
""",
    },
    "key.help.close": {"en": "Close", "id": "Tutup"},
    "key.help.close.tip": {"en": "Back to the screen", "id": "Kembali ke layar"},
    # -- map screen -------------------------------------------------------------------------
    "map.help": {
        "en": """\
# The map

Each box is an institution running as a real HTTP service on this machine. People (the buyer,
a developer's script) appear on the far left. Every call lights up as an arrow from caller to
callee, labelled with its method, path and status, coloured by outcome (green 2xx, yellow 4xx,
red 5xx or failed), then fades.

- **Call log** (bottom left): every recorded call; `f` follows the newest; `/` filters by text,
  `service:bank` or `status:4xx`; **Enter** selects a call.
- **Call detail** (bottom right): headers, bodies, timing; `c` copies it as curl, `h` as
  httpx; `t` opens the whole trace in the player (key 2).
""",
        "id": """\
# Peta

Setiap kotak adalah sebuah lembaga yang berjalan sebagai layanan HTTP sungguhan di mesin ini.
Orang (si pembeli, skrip seorang pengembang) muncul di paling kiri. Setiap panggilan menyala
sebagai panah dari pemanggil ke yang dipanggil, berlabel metode, path, dan statusnya, diwarnai
menurut hasilnya (hijau 2xx, kuning 4xx, merah 5xx atau gagal), lalu memudar.

- **Log panggilan** (kiri bawah): setiap panggilan yang terekam; `f` mengikuti yang terbaru;
  `/` menyaring menurut teks, `service:bank` atau `status:4xx`; **Enter** memilih panggilan.
- **Rincian panggilan** (kanan bawah): header, body, waktu; `c` menyalinnya sebagai perintah
  curl, `h` sebagai skrip httpx; `t` membuka seluruh jejaknya di pemutar (tombol 2).
""",
    },
    "map.calls": {"en": "Calls", "id": "Panggilan"},
    "map.detail": {"en": "Call detail", "id": "Rincian panggilan"},
    "map.empty": {
        "en": "No call selected. Run a story (5) or use an app (3).",
        "id": "Belum ada panggilan dipilih. Jalankan cerita (5) atau pakai aplikasi (3).",
    },
    "map.caused_by": {"en": "caused by the tap: {tap}", "id": "akibat ketukan: {tap}"},
    "map.filter_placeholder": {
        "en": "filter: text, service:bank, status:4xx",
        "id": "saring: teks, service:bank, status:4xx",
    },
    "key.map.filter": {"en": "Filter", "id": "Saring"},
    "key.map.filter.tip": {"en": "Filter the call log", "id": "Saring log panggilan"},
    "key.map.clear_filter.tip": {
        "en": "Show every call again",
        "id": "Tampilkan lagi semua panggilan",
    },
    # -- call map widget --------------------------------------------------------------------
    "callmap.help": {
        "en": """
## Call map

Each box is an institution (front apps left, back-ends right, people far left). Each arrow is
one HTTP call, `METHOD /path status`: green succeeded, yellow was refused (4xx), red failed
(5xx, or a dashed line ending in ✕ when no answer came). Click a box to see its calls.
""",
        "id": """
## Peta panggilan

Setiap kotak adalah sebuah lembaga (aplikasi depan di kiri, sistem belakang di kanan, orang di
paling kiri). Setiap panah adalah satu panggilan HTTP, `METODE /path status`: hijau berhasil,
kuning ditolak (4xx), merah gagal (5xx, atau garis putus-putus berujung ✕ bila tidak ada
jawaban). Klik sebuah kotak untuk melihat panggilannya.
""",
    },
    "callmap.people": {"en": "people", "id": "orang"},
    "callmap.offline": {"en": "OFFLINE", "id": "NONAKTIF"},
    "health.ok": {"en": "ok", "id": "sehat"},
    "health.down": {"en": "down", "id": "gangguan"},
    "health.offline": {"en": "offline", "id": "nonaktif"},
    "health.unknown": {"en": "unknown", "id": "tidak diketahui"},
    "callmap.failed": {"en": "failed", "id": "gagal"},
    "callmap.latency": {"en": "+{ms} ms", "id": "+{ms} ms"},
    "callmap.errors": {"en": "{percent}% errors", "id": "{percent}% galat"},
    # What each built-in institution is (the registry's English `role`), shown on the map.
    "role.social": {"en": "storefront (short-video app)", "id": "etalase (aplikasi video pendek)"},
    "role.marketplace": {"en": "transaction platform", "id": "platform transaksi"},
    "role.bank": {"en": "bank (accounts, virtual accounts)",
                  "id": "bank (rekening, virtual account)"},
    "role.identity": {"en": "civil registry", "id": "registri kependudukan"},
    "role.hospital": {"en": "hospital front desk", "id": "loket pendaftaran rumah sakit"},
    "role.records": {"en": "health-records platform (FHIR)",
                     "id": "platform rekam medis (FHIR)"},
    "role.insurance": {"en": "national health insurer", "id": "asuransi kesehatan nasional"},
    "callmap.counts": {
        "en": "in {calls_in} · out {calls_out}",
        "id": "masuk {calls_in} · keluar {calls_out}",
    },
    "callmap.counts_short": {
        "en": "in {calls_in} · out {calls_out}",
        "id": "msk {calls_in} · klr {calls_out}",
    },
    # -- call log widget --------------------------------------------------------------------
    "log.help": {
        "en": """
## Call log

One line per recorded call, oldest at the top: time, caller → callee, method, path, status
(or why it failed) and duration.

- **↑ ↓ PgUp PgDn Home End** or a click move the cursor; the detail shows that call.
- **Enter** opens the call.
- **f** follows the newest call (on by default, off when you move up).
""",
        "id": """
## Log panggilan

Satu baris per panggilan yang terekam, yang terlama di atas: waktu, pemanggil → yang dipanggil,
metode, path, status (atau sebab kegagalannya) dan durasi.

- **↑ ↓ PgUp PgDn Home End** atau klik memindahkan kursor; rinciannya menampilkan panggilan itu.
- **Enter** membuka panggilan.
- **f** mengikuti panggilan terbaru (aktif sejak awal, mati saat Anda bergerak ke atas).
""",
    },
    "log.title": {"en": "{count} {noun} · {state}", "id": "{count} {noun} · {state}"},
    "log.call": {"en": "call", "id": "panggilan"},
    "log.calls": {"en": "calls", "id": "panggilan"},
    "log.following": {"en": "following", "id": "mengikuti"},
    "log.follow_off": {"en": "follow off", "id": "tidak mengikuti"},
    "log.col.time": {"en": "time", "id": "waktu"},
    "log.col.parties": {"en": "caller → callee", "id": "asal → tujuan"},
    "log.col.method": {"en": "method", "id": "metode"},
    "log.col.path": {"en": "path", "id": "path"},
    "log.col.status": {"en": "status", "id": "status"},
    "log.col.took": {"en": "took", "id": "durasi"},
    "log.loading": {"en": "loading", "id": "memuat"},
    "log.failed": {"en": "failed", "id": "gagal"},
    "key.log.cursor_up": {"en": "Up", "id": "Naik"},
    "key.log.cursor_up.tip": {
        "en": "Previous call (stops following)",
        "id": "Panggilan sebelumnya (berhenti mengikuti)",
    },
    "key.log.cursor_down": {"en": "Down", "id": "Turun"},
    "key.log.cursor_down.tip": {"en": "Next call", "id": "Panggilan berikutnya"},
    "key.log.page_up": {"en": "Page up", "id": "Halaman naik"},
    "key.log.page_up.tip": {
        "en": "One screen of calls back (stops following)",
        "id": "Mundur satu layar panggilan (berhenti mengikuti)",
    },
    "key.log.page_down": {"en": "Page down", "id": "Halaman turun"},
    "key.log.page_down.tip": {
        "en": "One screen of calls forward",
        "id": "Maju satu layar panggilan",
    },
    "key.log.first": {"en": "First", "id": "Pertama"},
    "key.log.first.tip": {
        "en": "Oldest call (stops following)",
        "id": "Panggilan terlama (berhenti mengikuti)",
    },
    "key.log.last": {"en": "Last", "id": "Terakhir"},
    "key.log.last.tip": {"en": "Newest call", "id": "Panggilan terbaru"},
    "key.log.select": {"en": "Open", "id": "Buka"},
    "key.log.select.tip": {
        "en": "Open the call under the cursor",
        "id": "Buka panggilan di bawah kursor",
    },
    "key.log.follow": {"en": "Follow", "id": "Ikuti"},
    "key.log.follow.tip": {
        "en": "Keep the newest call under the cursor as calls arrive",
        "id": "Jaga panggilan terbaru tetap di bawah kursor saat panggilan berdatangan",
    },
    # -- call detail widget -----------------------------------------------------------------
    "detail.help": {
        "en": """
## Call detail

The call under the cursor: request line, status or error, timing, trace and parent ids,
headers and bodies (JSON pretty-printed). Secrets were redacted when the call was recorded.

- **c** copies the request as a curl command, **h** as an httpx script.
- **t** opens the whole trace this call belongs to.
""",
        "id": """
## Rincian panggilan

Panggilan di bawah kursor: baris permintaan, status atau galat, waktu, id jejak dan induknya,
header dan body (JSON dirapikan). Rahasia sudah disamarkan saat panggilan direkam.

- **c** menyalin permintaan sebagai perintah curl, **h** sebagai skrip httpx.
- **t** membuka seluruh jejak tempat panggilan ini berada.
""",
    },
    "detail.empty": {"en": "No call selected.", "id": "Belum ada panggilan dipilih."},
    "detail.request": {"en": "Request", "id": "Permintaan"},
    "detail.response": {"en": "Response", "id": "Respons"},
    "detail.copied": {"en": "Copied", "id": "Tersalin"},
    "detail.copied_curl": {
        "en": "Copied the request as a curl command.",
        "id": "Permintaan disalin sebagai perintah curl.",
    },
    "detail.copied_httpx": {
        "en": "Copied the request as a Python httpx script.",
        "id": "Permintaan disalin sebagai skrip Python httpx.",
    },
    "detail.started": {"en": "started", "id": "mulai"},
    "detail.took": {"en": "took", "id": "durasi"},
    "detail.trace": {"en": "trace", "id": "jejak"},
    "detail.span": {"en": "span", "id": "span"},
    "detail.parent": {"en": "parent", "id": "induk"},
    "detail.root": {"en": "none (a root call)", "id": "tidak ada (panggilan akar)"},
    "detail.cut": {
        "en": "✂ a body was cut when recorded (the recorder keeps a set size)",
        "id": "✂ sebuah body dipotong saat direkam (perekam hanya menyimpan ukuran tertentu)",
    },
    "detail.no_response": {"en": "no response: {reason}", "id": "tanpa respons: {reason}"},
    "detail.failed": {"en": "failed", "id": "gagal"},
    "detail.unknown": {"en": "unknown", "id": "tidak diketahui"},
    "detail.no_response_long": {
        "en": "No response: {reason}.",
        "id": "Tanpa respons: {reason}.",
    },
    "detail.failed_before_answer": {
        "en": " The call failed before the callee answered.",
        "id": " Panggilan gagal sebelum pihak yang dipanggil menjawab.",
    },
    "detail.nothing": {"en": "(no headers, no body)", "id": "(tanpa header, tanpa body)"},
    "detail.no_headers": {"en": "(no headers)", "id": "(tanpa header)"},
    "detail.no_body": {"en": "(no body)", "id": "(tanpa body)"},
    "detail.truncated": {
        "en": "✂ truncated when recorded: {count} more characters not kept",
        "id": "✂ dipotong saat direkam: {count} karakter lagi tidak disimpan",
    },
    "detail.not_shown": {
        "en": "… {what} not shown here (copy as curl to get the whole body)",
        "id": "… {what} tidak ditampilkan di sini (salin sebagai curl untuk mendapat seluruh body)",
    },
    "detail.characters": {"en": "{count} characters", "id": "{count} karakter"},
    "detail.more_lines": {"en": " ({count} more lines)", "id": " ({count} baris lagi)"},
    "key.detail.copy_curl": {"en": "Copy curl", "id": "Salin curl"},
    "key.detail.copy_curl.tip": {
        "en": "Copy this request as a curl command (credentials stay redacted)",
        "id": "Salin permintaan ini sebagai perintah curl (kredensial tetap disamarkan)",
    },
    "key.detail.copy_httpx": {"en": "Copy httpx", "id": "Salin httpx"},
    "key.detail.copy_httpx.tip": {
        "en": "Copy this request as a Python httpx script (credentials stay redacted)",
        "id": "Salin permintaan ini sebagai skrip Python httpx (kredensial tetap disamarkan)",
    },
    "key.detail.open_trace": {"en": "Trace", "id": "Jejak"},
    "key.detail.open_trace.tip": {
        "en": "Open every call of this call's trace",
        "id": "Buka semua panggilan dalam jejak panggilan ini",
    },
    # -- trace screen and sequence player ---------------------------------------------------
    "trace.help": {
        "en": """\
# The trace player

One user action (a tap on Buy, an account opening) causes a chain of calls between
institutions: one trace. Here it is drawn as a sequence diagram: a column per party, an arrow
per call and a dashed arrow per answer.

- **space** plays or pauses; **→** / **←** step forward and back (rewind any time);
  **Home** / **End** jump to the first or last arrow.
- The map and the call detail follow the current arrow.
- Open a trace from the map: select a call, then press `t`.
""",
        "id": """\
# Pemutar jejak

Satu aksi pengguna (mengetuk Beli, membuka rekening) memicu rangkaian panggilan antarlembaga:
satu jejak. Di sini jejak itu digambar sebagai diagram urutan: satu kolom per pihak, satu panah
per panggilan, dan satu panah putus-putus per jawaban.

- **spasi** memutar atau menjeda; **→** / **←** maju dan mundur satu langkah (bisa diputar
  mundur kapan saja); **Home** / **End** melompat ke panah pertama atau terakhir.
- Peta dan rincian panggilan mengikuti panah yang sedang aktif.
- Buka jejak dari peta: pilih sebuah panggilan, lalu tekan `t`.
""",
    },
    "trace.none": {
        "en": "Select a call and press t to open its trace.",
        "id": "Pilih panggilan lalu tekan t untuk membuka jejaknya.",
    },
    "trace.title": {
        "en": "trace {trace}… · {count} · {parties}",
        "id": "jejak {trace}… · {count} · {parties}",
    },
    "trace.position": {"en": "arrow {index} of {total}", "id": "panah {index} dari {total}"},
    "sequence.help": {
        "en": """
## Sequence player

One trace drawn as a sequence diagram: a column per party, a solid arrow per request and a
dashed arrow back per response (`✕` when none came back).

- **space** plays or pauses; while playing, arrows not reached yet are dimmed.
- **→ / l** and **← / h** step one arrow (stepping pauses the replay).
- **home / end** jump to the first or last arrow.
""",
        "id": """
## Pemutar urutan

Satu jejak digambar sebagai diagram urutan: satu kolom per pihak, satu panah utuh per
permintaan dan satu panah putus-putus kembali per respons (`✕` bila tidak ada yang kembali).

- **spasi** memutar atau menjeda; selama diputar, panah yang belum tercapai diredupkan.
- **→ / l** dan **← / h** maju atau mundur satu panah (melangkah menjeda pemutaran).
- **home / end** melompat ke panah pertama atau terakhir.
""",
    },
    "sequence.empty": {"en": "No calls to show.", "id": "Tidak ada panggilan untuk ditampilkan."},
    "sequence.failed": {"en": "failed", "id": "gagal"},
    "key.sequence.play": {"en": "Play/pause", "id": "Putar/jeda"},
    "key.sequence.play.tip": {
        "en": "Replay the trace one arrow at a time, or pause it",
        "id": "Putar ulang jejak satu panah demi satu, atau jeda",
    },
    "key.sequence.step_forward": {"en": "Step", "id": "Maju"},
    "key.sequence.step_forward.tip": {
        "en": "Show the next arrow (pauses the replay)",
        "id": "Tampilkan panah berikutnya (menjeda pemutaran)",
    },
    "key.sequence.step_back": {"en": "Back", "id": "Mundur"},
    "key.sequence.step_back.tip": {
        "en": "Rewind one arrow (pauses the replay)",
        "id": "Mundur satu panah (menjeda pemutaran)",
    },
    "key.sequence.first": {"en": "First", "id": "Pertama"},
    "key.sequence.first.tip": {"en": "Rewind to the first arrow", "id": "Kembali ke panah pertama"},
    "key.sequence.last": {"en": "Last", "id": "Terakhir"},
    "key.sequence.last.tip": {"en": "Jump to the last arrow", "id": "Lompat ke panah terakhir"},
    # -- faces screen -----------------------------------------------------------------------
    "faces.help": {
        "en": """\
# The apps

On the left is the short-video app (Klip): a video, its product cards, and a **Buy** button.
Buying never leaves the app: the checkout page you see is **served by the marketplace**
(Pasarloka) inside the video app's frame. On the right is the buyer's bank app, where she pays
the virtual account the checkout shows.

Every tap makes real calls between the institutions; the list under the apps says which tap
caused which trace (**Enter** opens it in the player), and the map lights up as they happen.

**h** switches to the hospital's reception desk: pick the patient whose KTP is on the counter
and press **Admit**. Behind that one action the hospital asks the civil registry, the
health-records platform, the insurer and, for what insurance does not cover, the bank - the
same pattern as Buy. Untick the consent box to see the desk refuse before asking anyone.
""",
        "id": """\
# Aplikasi

Di kiri ada aplikasi video pendek (Klip): sebuah video, kartu produknya, dan tombol **Beli**.
Membeli tidak pernah meninggalkan aplikasi: halaman checkout yang Anda lihat **disajikan oleh
marketplace** (Pasarloka) di dalam bingkai aplikasi video. Di kanan ada aplikasi bank milik
pembeli, tempat ia membayar virtual account yang tertera di halaman checkout.

Setiap ketukan membuat panggilan sungguhan antarlembaga; daftar di bawah aplikasi menunjukkan
ketukan mana yang memicu jejak mana (**Enter** membukanya di pemutar), dan peta menyala saat
panggilan-panggilan itu terjadi.

**h** berpindah ke loket pendaftaran rumah sakit: pilih pasien yang KTP-nya ada di meja loket,
lalu tekan **Daftarkan**. Di balik satu tindakan itu rumah sakit bertanya ke registri kependudukan,
platform rekam medis, asuransi dan, untuk yang tidak ditanggung asuransi, bank - pola yang sama
dengan Beli. Hapus centang persetujuan untuk melihat loket menolak sebelum bertanya ke siapa pun.
""",
    },
    "faces.taps": {"en": "taps → traces", "id": "ketukan → jejak"},
    "faces.action.load": {"en": "load", "id": "muat"},
    "faces.action.buy": {"en": "buy", "id": "beli"},
    "faces.action.orders": {"en": "orders", "id": "pesanan"},
    "faces.action.browse": {"en": "browse", "id": "jelajah"},
    "faces.action.inquiry": {"en": "inquiry", "id": "cek"},
    "faces.action.pay": {"en": "pay", "id": "bayar"},
    "faces.action.retry": {"en": "retry", "id": "ulangi"},
    "faces.action.admit": {"en": "admit", "id": "daftarkan"},
    "key.faces.trace": {"en": "Open trace", "id": "Buka jejak"},
    "key.faces.switch": {"en": "Hospital desk", "id": "Loket RS"},
    "key.faces.switch.tip": {
        "en": "Switch between the buyer's phone and the hospital's reception desk",
        "id": "Berpindah antara ponsel pembeli dan loket pendaftaran rumah sakit",
    },
    "key.faces.trace.tip": {
        "en": "Open the selected tap's trace",
        "id": "Buka jejak dari ketukan yang dipilih",
    },
    # -- app faces widgets (markup; placeholders become escaped template variables) ----------
    "faces.busy": {"en": "Working...", "id": "Sedang diproses..."},
    "faces.unreachable": {"en": "{service} unreachable", "id": "{service} tidak dapat dihubungi"},
    "faces.timeout": {
        "en": "{service} did not answer in time",
        "id": "{service} tidak menjawab tepat waktu",
    },
    "faces.http": {"en": "HTTP {status} from {service}", "id": "HTTP {status} dari {service}"},
    "faces.not_json": {
        "en": "{service} answered something that is not JSON",
        "id": "{service} menjawab dengan sesuatu yang bukan JSON",
    },
    "faces.unexpected": {
        "en": "Something went wrong: {error}",
        "id": "Terjadi kesalahan: {error}",
    },
    "faces.social.help": {
        "en": "The buyer's short-video app: watch, tap Buy, pay without leaving the app.",
        "id": "Aplikasi video pendek milik pembeli: tonton, ketuk Beli, bayar tanpa keluar "
        "dari aplikasi.",
    },
    "faces.social.handle": {"en": "@{handle}", "id": "@{handle}"},
    "faces.social.video": {
        "en": "[b]▶ Video {id}[/b] · @{handle}",
        "id": "[b]▶ Video {id}[/b] · @{handle}",
    },
    "faces.social.caption": {"en": "[i]“{caption}”[/i]", "id": "[i]“{caption}”[/i]"},
    "faces.social.stats": {
        "en": "{views} views · ♥ {likes} likes",
        "id": "{views} tayangan · ♥ {likes} suka",
    },
    "faces.social.no_products": {
        "en": "No products tagged in this video.",
        "id": "Tidak ada produk yang ditandai di video ini.",
    },
    "faces.social.price": {
        "en": "[b]{price}[/b] · stock {stock}",
        "id": "[b]{price}[/b] · stok {stock}",
    },
    "faces.social.buy": {"en": "Buy", "id": "Beli"},
    "faces.social.buy.tip": {
        "en": "Order this product; the marketplace's checkout page opens in the app",
        "id": "Pesan produk ini; halaman checkout marketplace terbuka di dalam aplikasi",
    },
    "faces.social.webview": {
        "en": "{market} · in-app web view",
        "id": "{market} · tampilan web di dalam aplikasi",
    },
    "faces.social.checkout": {
        "en": "[b]{shop}[/b]\n{items}\n\nOrder  {order}\nStatus {status}\n"
        "Total  [b]{total}[/b]\n\nPay to {bank} VA\n"
        "[b reverse] {va} [/]\nPay before {expires}",
        "id": "[b]{shop}[/b]\n{items}\n\nPesanan {order}\nStatus  {status}\n"
        "Total   [b]{total}[/b]\n\nBayar ke VA {bank}\n"
        "[b reverse] {va} [/]\nBayar sebelum {expires}",
    },
    "faces.social.item": {"en": "{qty}× {name}", "id": "{qty}× {name}"},
    "faces.social.orders": {"en": "My orders", "id": "Pesanan saya"},
    "faces.social.orders.none": {"en": "No orders yet.", "id": "Belum ada pesanan."},
    "faces.social.orders.more": {"en": "+{count} more", "id": "+{count} lagi"},
    "faces.social.order": {"en": "#{order}\n  {status}", "id": "#{order}\n  {status}"},
    "faces.social.refresh": {"en": "Refresh", "id": "Muat ulang"},
    "faces.social.refresh.tip": {
        "en": "Ask the app for my orders' latest status",
        "id": "Minta status terbaru pesanan saya ke aplikasi",
    },
    "faces.social.feed_end": {
        "en": "No more videos in the feed.",
        "id": "Tidak ada video lagi di linimasa.",
    },
    "faces.social.acted.load": {
        "en": "showed video {id} with {count} product cards",
        "id": "menampilkan video {id} dengan {count} kartu produk",
    },
    "faces.social.acted.buy": {
        "en": "ordered product {product}: order {order}, checkout page shown",
        "id": "memesan produk {product}: pesanan {order}, halaman checkout ditampilkan",
    },
    "faces.social.acted.orders": {
        "en": "showed {count} orders",
        "id": "menampilkan {count} pesanan",
    },
    "faces.status.UNPAID": {"en": "Waiting for payment", "id": "Menunggu pembayaran"},
    "faces.status.AWAITING_SHIPMENT": {
        "en": "Paid - waiting for shipment",
        "id": "Sudah dibayar - menunggu dikirim",
    },
    "faces.status.AWAITING_COLLECTION": {
        "en": "Waiting for the courier",
        "id": "Menunggu kurir",
    },
    "faces.status.IN_TRANSIT": {"en": "On its way", "id": "Dalam perjalanan"},
    "faces.status.DELIVERED": {"en": "Delivered", "id": "Sudah diterima"},
    "faces.status.COMPLETED": {"en": "Completed", "id": "Selesai"},
    "faces.status.CANCELLED": {"en": "Cancelled", "id": "Dibatalkan"},
    "faces.bank.help": {
        "en": "The buyer's bank app: see the balance, check a virtual account, pay it.",
        "id": "Aplikasi bank milik pembeli: lihat saldo, cek virtual account, lalu bayar.",
    },
    "faces.bank.balance": {"en": "Balance [b]{balance}[/b]", "id": "Saldo [b]{balance}[/b]"},
    "faces.bank.pay_title": {"en": "Pay a virtual account", "id": "Bayar virtual account"},
    "faces.bank.va.placeholder": {
        "en": "Virtual account number",
        "id": "Nomor virtual account",
    },
    "faces.bank.va.tip": {
        "en": "The VA number from the checkout page",
        "id": "Nomor VA dari halaman checkout",
    },
    "faces.bank.check": {"en": "Check", "id": "Cek"},
    "faces.bank.check.tip": {
        "en": "Ask the bank who this VA pays and how much",
        "id": "Tanyakan ke bank VA ini membayar ke siapa dan berapa",
    },
    "faces.bank.pay": {"en": "Pay", "id": "Bayar"},
    "faces.bank.pay_amount": {"en": "Pay {amount}", "id": "Bayar {amount}"},
    "faces.bank.pay.tip": {
        "en": "Pay the VA with a fresh idempotency key",
        "id": "Bayar VA dengan idempotency key baru",
    },
    "faces.bank.retry": {"en": "Retry, same key", "id": "Ulangi, key sama"},
    "faces.bank.retry.tip": {
        "en": "Send the same payment again with the same key: nothing moves twice",
        "id": "Kirim pembayaran yang sama sekali lagi dengan key yang sama: tidak ada uang "
        "yang berpindah dua kali",
    },
    "faces.bank.prefilled": {
        "en": "Amount [b]{amount}[/b] from checkout",
        "id": "Jumlah [b]{amount}[/b] dari checkout",
    },
    "faces.bank.inquiry": {
        "en": "To [b]{name}[/b]\nAmount [b]{amount}[/b] · {status}\nPay before {expires}",
        "id": "Kepada [b]{name}[/b]\nJumlah [b]{amount}[/b] · {status}\nBayar sebelum {expires}",
    },
    "faces.bank.no_va": {
        "en": "Enter a virtual account number first.",
        "id": "Masukkan nomor virtual account dulu.",
    },
    "faces.bank.no_amount": {
        "en": "Check the virtual account first.",
        "id": "Cek virtual account-nya dulu.",
    },
    "faces.bank.nothing_to_retry": {
        "en": "Pay first; then retry with the same key.",
        "id": "Bayar dulu; lalu ulangi dengan key yang sama.",
    },
    "faces.bank.paid": {
        "en": "Paid [b]{amount}[/b] · reference {reference}",
        "id": "Terbayar [b]{amount}[/b] · referensi {reference}",
    },
    "faces.bank.retried": {
        "en": "Same key: the bank returned payment {payment} again; nothing moved.",
        "id": "Key sama: bank mengembalikan pembayaran {payment} lagi; tidak ada uang berpindah.",
    },
    "faces.bank.retried_new": {
        "en": "The bank answered with payment {payment}.",
        "id": "Bank menjawab dengan pembayaran {payment}.",
    },
    "faces.bank.acted.load": {"en": "balance {balance}", "id": "saldo {balance}"},
    "faces.bank.acted.inquiry": {
        "en": "VA {va} pays {name} {amount}",
        "id": "VA {va} membayar {name} {amount}",
    },
    "faces.bank.acted.pay": {
        "en": "paid {amount} to VA {va}, balance {balance}",
        "id": "membayar {amount} ke VA {va}, saldo {balance}",
    },
    "faces.bank.acted.retry": {
        "en": "retried payment {payment} with the same key, balance {balance}",
        "id": "mengulang pembayaran {payment} dengan key yang sama, saldo {balance}",
    },
    "faces.desk.help": {
        "en": "The hospital's reception desk: pick the patient, press Admit, read what each "
        "back-end answered.",
        "id": "Loket pendaftaran rumah sakit: pilih pasien, tekan Daftarkan, baca jawaban "
        "setiap sistem di belakangnya.",
    },
    "faces.desk.clerk": {"en": "desk: {clerk}", "id": "loket: {clerk}"},
    "faces.desk.patient_title": {
        "en": "Patient (the KTP on the counter)",
        "id": "Pasien (KTP di meja loket)",
    },
    "faces.desk.no_patient": {"en": "No patient to admit.", "id": "Tidak ada pasien."},
    "faces.desk.ktp": {
        "en": "NIK {nik} · born {place}, {born} · sex {sex}",
        "id": "NIK {nik} · lahir {place}, {born} · jenis kelamin {sex}",
    },
    "faces.desk.complaint.default": {
        "en": "Demam dan batuk tiga hari",
        "id": "Demam dan batuk tiga hari",
    },
    "faces.desk.complaint.placeholder": {"en": "Complaint", "id": "Keluhan"},
    "faces.desk.complaint.tip": {
        "en": "What the patient came for, in the patient's words",
        "id": "Keluhan pasien, dengan kata-katanya sendiri",
    },
    "faces.desk.icd10.placeholder": {
        "en": "ICD-10 code (optional)",
        "id": "Kode ICD-10 (opsional)",
    },
    "faces.desk.icd10.tip": {
        "en": "An initial diagnosis, if the doctor already gave one (J06.9: a common cold)",
        "id": "Diagnosis awal, bila dokter sudah memberikannya (J06.9: selesma)",
    },
    "faces.desk.consent": {
        "en": "The patient agrees to be checked",
        "id": "Pasien setuju untuk diperiksa",
    },
    "faces.desk.consent.tip": {
        "en": "Without consent the registry and the other back-ends may not be asked "
        "(UU PDP 27/2022): untick it to see the desk refuse",
        "id": "Tanpa persetujuan, registri dan sistem lain tidak boleh ditanya "
        "(UU PDP 27/2022): hapus centang untuk melihat loket menolak",
    },
    "faces.desk.admit": {"en": "Admit", "id": "Daftarkan"},
    "faces.desk.admit.tip": {
        "en": "One action: the hospital asks identity, records, insurance and billing",
        "id": "Satu tindakan: rumah sakit bertanya ke registri, rekam medis, asuransi dan bank",
    },
    "faces.desk.identity": {
        "en": "Civil registry: match flags",
        "id": "Registri kependudukan: tanda kecocokan",
    },
    "faces.desk.identity.none": {"en": "no answer", "id": "tidak ada jawaban"},
    "faces.desk.flag": {"en": "  {field}: {flag}", "id": "  {field}: {flag}"},
    "faces.desk.records": {
        "en": "Health records: patient and visit",
        "id": "Rekam medis: pasien dan kunjungan",
    },
    "faces.desk.records.answer": {
        "en": "  patient {ihs} · encounter {encounter}",
        "id": "  pasien {ihs} · kunjungan {encounter}",
    },
    "faces.desk.insurance": {"en": "Insurer: eligibility", "id": "Asuransi: kepesertaan"},
    "faces.desk.insurance.answer": {
        "en": "  {status} · {klass} · SEP {sep}",
        "id": "  {status} · {klass} · SEP {sep}",
    },
    "faces.desk.insurance.none": {"en": "  not asked", "id": "  tidak ditanya"},
    "faces.desk.bill": {"en": "Bank: what the patient pays", "id": "Bank: yang dibayar pasien"},
    "faces.desk.bill.pay": {
        "en": "  pay [b]{amount}[/b] to VA {va}",
        "id": "  bayar [b]{amount}[/b] ke VA {va}",
    },
    "faces.desk.bill.covered": {
        "en": "  nothing to pay: covered by insurance",
        "id": "  tidak ada yang dibayar: ditanggung asuransi",
    },
    "faces.desk.acted.admit": {
        "en": "admitted {name}: {status}",
        "id": "mendaftarkan {name}: {status}",
    },
    "key.social.next_video": {"en": "Next video", "id": "Video berikutnya"},
    "key.social.next_video.tip": {
        "en": "Show the next video in the feed",
        "id": "Tampilkan video berikutnya di linimasa",
    },
    "key.social.previous_video": {"en": "Previous video", "id": "Video sebelumnya"},
    "key.social.previous_video.tip": {
        "en": "Show the previous video in the feed",
        "id": "Tampilkan video sebelumnya di linimasa",
    },
    "key.social.refresh_orders": {"en": "My orders", "id": "Pesanan saya"},
    "key.social.refresh_orders.tip": {
        "en": "Ask the app for my orders' latest status",
        "id": "Minta status terbaru pesanan saya ke aplikasi",
    },
    "key.bank.refresh_balance": {"en": "Refresh balance", "id": "Muat ulang saldo"},
    "key.bank.refresh_balance.tip": {
        "en": "Ask the bank for the balance again",
        "id": "Minta saldo terbaru ke bank",
    },
    # -- services screen --------------------------------------------------------------------
    "services.help": {
        "en": """\
# Services

Each institution is a separate HTTP service with **its own SQLite database**: the bank's
accounts are not in the marketplace's tables, and the social app has no payment table at all.

- Pick a service on the left to see its URL, its docs and its tables; pick a table to read
  its rows (read-only).
- **Faults**: take a service offline, add latency, or make some of its calls fail, then run a
  story and watch what the others do. **Restore** clears the fault.
- **ctrl+r** restores the seeded world everywhere.
""",
        "id": """\
# Layanan

Setiap lembaga adalah layanan HTTP tersendiri dengan **basis data SQLite miliknya sendiri**:
rekening bank tidak ada di tabel marketplace, dan aplikasi sosial sama sekali tidak punya
tabel pembayaran.

- Pilih layanan di kiri untuk melihat URL, dokumentasi, dan tabelnya; pilih tabel untuk
  membaca barisnya (hanya baca).
- **Gangguan**: matikan layanan, tambahkan latensi, atau buat sebagian panggilannya gagal,
  lalu jalankan cerita dan amati apa yang dilakukan lembaga lain. **Pulihkan** menghapus
  gangguan itu.
- **ctrl+r** memulihkan dunia awal di semua lembaga.
""",
    },
    "services.tables": {
        "en": "Tables in {name}'s own database",
        "id": "Tabel di basis data {name}",
    },
    "services.col.table": {"en": "table", "id": "tabel"},
    "services.col.rows": {"en": "rows", "id": "baris"},
    "services.info": {
        "en": "[b]{title}[/] ({name}) — {role}\nURL {url}   docs {docs}\n"
        "health {health} · calls in {calls_in} · out {calls_out} · {fault}",
        "id": "[b]{title}[/] ({name}) — {role}\nURL {url}   dokumentasi {docs}\n"
        "kondisi {health} · panggilan masuk {calls_in} · keluar {calls_out} · {fault}",
    },
    "services.offline": {"en": "Take offline", "id": "Matikan"},
    "services.offline_state": {"en": "OFFLINE", "id": "NONAKTIF"},
    "services.latency_added": {"en": "+{ms} ms", "id": "+{ms} ms"},
    "services.errors": {"en": "{rate} errors", "id": "{rate} galat"},
    "services.latency": {"en": "Latency (ms)", "id": "Latensi (ms)"},
    "services.error_rate": {"en": "Error rate (%)", "id": "Galat (%)"},
    "services.apply": {"en": "Apply", "id": "Terapkan"},
    "services.restore": {"en": "Restore", "id": "Pulihkan"},
    "services.reset_world": {"en": "Reset world", "id": "Atur ulang dunia"},
    "services.fault_set": {"en": "{name}: {fault}", "id": "{name}: {fault}"},
    "services.healthy": {"en": "healthy", "id": "normal"},
    "services.bad_fault": {
        "en": "latency must be whole milliseconds, error rate a percentage",
        "id": "latensi harus bilangan bulat milidetik, tingkat galat berupa persentase",
    },
    "key.services.next_page": {"en": "Next rows", "id": "Baris berikutnya"},
    "key.services.next_page.tip": {"en": "Next page of rows", "id": "Halaman baris berikutnya"},
    "key.services.prev_page": {"en": "Previous rows", "id": "Baris sebelumnya"},
    "key.services.prev_page.tip": {
        "en": "Previous page of rows",
        "id": "Halaman baris sebelumnya",
    },
    # -- stories screen ---------------------------------------------------------------------
    "stories.help": {
        "en": """\
# Stories

The stories are the same code as `sandbox run checkout` and `sandbox run open-account`: real
calls to the running institutions, checked at the end.

- Choose a story and press **Run** (or **Enter**).
- Tick **Pause before each step** to present at your own pace: the story waits before each
  step until you press **n**.
- When it finishes, **t** opens its trace in the player.
""",
        "id": """\
# Cerita

Cerita-cerita ini adalah kode yang sama dengan `sandbox run checkout` dan
`sandbox run open-account`: panggilan sungguhan ke lembaga-lembaga yang sedang berjalan,
diperiksa di akhir.

- Pilih sebuah cerita lalu tekan **Jalankan** (atau **Enter**).
- Centang **Jeda sebelum tiap langkah** untuk presentasi sesuai tempo Anda: cerita menunggu
  sebelum tiap langkah sampai Anda menekan **n**.
- Setelah selesai, **t** membuka jejaknya di pemutar.
""",
    },
    "stories.run": {"en": "Run", "id": "Jalankan"},
    "stories.step_mode": {"en": "Pause before each step", "id": "Jeda sebelum tiap langkah"},
    "stories.waiting": {
        "en": "Paused before: {step}  (press n to continue)",
        "id": "Jeda sebelum: {step}  (tekan n untuk lanjut)",
    },
    "stories.ok": {"en": "Finished as the story says.", "id": "Selesai sesuai cerita."},
    "stories.failed": {
        "en": "Did not end as the story says: {reason}",
        "id": "Tidak berakhir sesuai cerita: {reason}",
    },
    "stories.trace": {"en": "trace {trace} (t)", "id": "jejak {trace} (t)"},
    "stories.checkout": {
        "en": "Checkout from a video (no jump app)",
        "id": "Belanja dari video (tanpa pindah aplikasi)",
    },
    "stories.open-account": {
        "en": "Open a bank account (identity check)",
        "id": "Buka rekening bank (cek identitas)",
    },
    "stories.admission": {
        "en": "Hospital admission (one desk, four back-ends)",
        "id": "Pendaftaran rumah sakit (satu meja, empat layanan)",
    },
    "key.stories.continue": {"en": "Continue", "id": "Lanjut"},
    "key.stories.continue.tip": {
        "en": "Let the paused story take its next step",
        "id": "Biarkan cerita yang dijeda melangkah ke langkah berikutnya",
    },
    "key.stories.trace": {"en": "Open trace", "id": "Buka jejak"},
    "key.stories.trace.tip": {
        "en": "Open the last story's trace in the player",
        "id": "Buka jejak cerita terakhir di pemutar",
    },
    # -- audit screen -----------------------------------------------------------------------
    "audit.help": {
        "en": """\
# The audit

An audit checks the recorded calls against rules written down as data (the files in
`sandbox/audit/rulesets/`): for example, the video app must never call the bank, and no
personal data may reach it. Each rule says **PASS**, **FAIL** or **n/a** (nothing it applies to
was recorded yet).

- Press **a** (or **Run audit**) to check the most recent calls (up to 5,000) again.
- Move through the rules: the right side says why the rule exists and what was found.
- For a failing rule, the calls that broke it are listed: **Enter** opens one in the trace
  player, at that very call.

The audit also checks the list of institutions: when a service is added, it is flagged until
the audit is run again and recorded (`sandbox audit --record`). The UI cannot read the
sandbox's records, so here it compares against the seeded world.
""",
        "id": """\
# Audit

Audit memeriksa panggilan yang terekam terhadap aturan yang ditulis sebagai data (berkas-berkas
di `sandbox/audit/rulesets/`): misalnya, aplikasi video tidak boleh memanggil bank, dan tidak
boleh ada data pribadi yang sampai ke sana. Setiap aturan berkata **LULUS**, **GAGAL** atau
**t/b** (belum ada yang terekam yang berlaku untuk aturan itu).

- Tekan **a** (atau **Jalankan audit**) untuk memeriksa lagi panggilan terbaru (hingga 5.000).
- Telusuri aturan-aturannya: sisi kanan menjelaskan alasan aturan itu dan apa yang ditemukan.
- Untuk aturan yang gagal, panggilan yang melanggarnya didaftar: **Enter** membukanya di
  pemutar jejak, tepat di panggilan itu.

Audit juga memeriksa daftar lembaga: bila sebuah layanan ditambahkan, layanan itu ditandai
sampai audit dijalankan lagi dan dicatat (`sandbox audit --record`). UI tidak dapat membaca
catatan sandbox, jadi di sini pembandingnya adalah dunia awal.
""",
    },
    "audit.run": {"en": "Run audit", "id": "Jalankan audit"},
    "audit.not_run": {
        "en": "Not run yet: press a to audit the recorded calls.",
        "id": "Belum dijalankan: tekan a untuk mengaudit panggilan yang terekam.",
    },
    "audit.running": {"en": "Auditing the recorded calls…", "id": "Mengaudit panggilan terekam…"},
    "audit.summary_pass": {
        "en": "No rule failed: {rules} rules over {calls} calls in {traces} traces.",
        "id": "Tidak ada aturan yang gagal: {rules} aturan atas {calls} panggilan "
        "dalam {traces} jejak.",
    },
    "audit.summary_fail": {
        "en": "{failed} of {rules} rules failed, over {calls} calls in {traces} traces.",
        "id": "{failed} dari {rules} aturan gagal, atas {calls} panggilan dalam {traces} jejak.",
    },
    "audit.col.rule": {"en": "Rule", "id": "Aturan"},
    "audit.col.verdict": {"en": "Verdict", "id": "Hasil"},
    "audit.col.title": {"en": "What it checks", "id": "Yang diperiksa"},
    "audit.verdict.pass": {"en": "PASS", "id": "LULUS"},
    "audit.verdict.fail": {"en": "FAIL", "id": "GAGAL"},
    "audit.verdict.na": {"en": "n/a", "id": "t/b"},
    "audit.finding": {"en": "Finding", "id": "Temuan"},
    "audit.pick_rule": {
        "en": "Run the audit, then choose a rule.",
        "id": "Jalankan audit, lalu pilih sebuah aturan.",
    },
    "audit.reason": {"en": "What was found", "id": "Yang ditemukan"},
    "audit.why": {"en": "Why the rule exists", "id": "Mengapa aturan ini ada"},
    "audit.evidence": {
        "en": "Evidence (Enter opens the call)",
        "id": "Bukti (Enter membuka panggilannya)",
    },
    "audit.no_evidence": {"en": "No offending calls.", "id": "Tidak ada panggilan yang melanggar."},
    "audit.evidence_more": {"en": "…and {count} more", "id": "…dan {count} lainnya"},
    "key.audit.run": {"en": "Run audit", "id": "Jalankan audit"},
    "key.audit.run.tip": {
        "en": "Check the most recent calls against every rule",
        "id": "Periksa panggilan terbaru terhadap setiap aturan",
    },
    # -- lesson (learn mode), presenter mode, jump dialog ------------------------------------
    "lesson.help": {
        "en": """\
# Lesson

A lesson plays one step at a time against the running institutions. The left side says what
is about to happen and why; the map and the log on the right show only this step's calls.

- **r** or **Enter** runs the step (again, if you like); the verdict says *passed*, or for each
  failed expectation what was expected, what happened instead and why it matters.
- **n**, **→** or **Space** next step · **b** or **←** previous step · **g** jump to a step
  (type its number) · **h** the next hint, on exercise steps.
- **t** opens the step's calls in the trace player (every header and body); **8** comes back.
- **Tab** moves to the call log: the call under its cursor stays lit on the map, **Enter**
  opens it in the trace player.
- Your place is saved after every step: `sandbox learn` resumes where you stopped.
""",
        "id": """\
# Pelajaran

Pelajaran memutar satu langkah setiap kali terhadap lembaga-lembaga yang sedang berjalan. Sisi
kiri menjelaskan apa yang akan terjadi dan mengapa; peta dan log di kanan hanya menampilkan
panggilan langkah ini.

- **r** atau **Enter** menjalankan langkah (boleh diulang); putusannya berkata *lulus*, atau
  untuk setiap harapan yang gagal: apa yang diharapkan, apa yang terjadi, dan mengapa penting.
- **n**, **→** atau **Spasi** langkah berikutnya · **b** atau **←** langkah sebelumnya · **g**
  lompat ke sebuah langkah (ketik nomornya) · **h** petunjuk berikutnya, pada langkah latihan.
- **t** membuka panggilan langkah ini di pemutar jejak (setiap header dan body); **8**
  kembali ke sini.
- **Tab** pindah ke log panggilan: panggilan di bawah kursornya tetap menyala di peta, **Enter**
  membukanya di pemutar jejak.
- Posisi Anda disimpan setiap langkah: `sandbox learn` melanjutkan dari tempat Anda berhenti.
""",
    },
    "lesson.step_of": {
        "en": "Step {number} of {total} · {title}",
        "id": "Langkah {number} dari {total} · {title}",
    },
    "lesson.no_steps": {
        "en": "This lesson has no steps.",
        "id": "Pelajaran ini tidak punya langkah.",
    },
    "lesson.not_run": {
        "en": "Press r to run this step.",
        "id": "Tekan r untuk menjalankan langkah ini.",
    },
    "lesson.running": {"en": "Running step {number}…", "id": "Menjalankan langkah {number}…"},
    "lesson.passed": {
        "en": "Passed: every expectation met ({calls} calls).",
        "id": "Lulus: semua harapan terpenuhi ({calls} panggilan).",
    },
    "lesson.failed": {
        "en": "Not yet: {count} expectation(s) not met.",
        "id": "Belum: {count} harapan tidak terpenuhi.",
    },
    "lesson.could_not_run": {
        "en": "The step could not run:",
        "id": "Langkah ini tidak dapat dijalankan:",
    },
    "lesson.expected": {"en": "expected:", "id": "diharapkan:"},
    "lesson.happened": {"en": "happened:", "id": "terjadi:"},
    "lesson.because": {"en": "because:", "id": "sebab:"},
    "lesson.hint": {"en": "Hint:", "id": "Petunjuk:"},
    "lesson.no_more_hints": {
        "en": "No more hints for this step.",
        "id": "Tidak ada petunjuk lagi untuk langkah ini.",
    },
    "lesson.notes": {"en": "Presenter notes", "id": "Catatan penyaji"},
    "lesson.warning": {
        "en": "Before you start:",
        "id": "Sebelum mulai:",
    },
    "lesson.preparing": {
        "en": "Preparing: restoring the seeded world and checking every service…",
        "id": "Menyiapkan: memulihkan dunia awal dan memeriksa setiap layanan…",
    },
    "lesson.busy": {
        "en": "Wait a moment: a step is still running.",
        "id": "Tunggu sebentar: sebuah langkah masih berjalan.",
    },
    "lesson.busy_preparing": {
        "en": "Wait a moment: the sandbox is being prepared for step 1.",
        "id": "Tunggu sebentar: sandbox sedang disiapkan untuk langkah 1.",
    },
    "lesson.calls": {"en": "Calls of this step", "id": "Panggilan langkah ini"},
    "key.lesson.next": {"en": "Next", "id": "Lanjut"},
    "key.lesson.next.tip": {"en": "Show the next step", "id": "Tampilkan langkah berikutnya"},
    "key.lesson.back": {"en": "Back", "id": "Kembali"},
    "key.lesson.back.tip": {
        "en": "Show the previous step",
        "id": "Tampilkan langkah sebelumnya",
    },
    "key.lesson.run": {"en": "Run step", "id": "Jalankan"},
    "key.lesson.run.tip": {
        "en": "Run this step (again) and check what happened",
        "id": "Jalankan langkah ini (lagi) dan periksa apa yang terjadi",
    },
    "key.lesson.hint": {"en": "Hint", "id": "Petunjuk"},
    "key.lesson.hint.tip": {
        "en": "Show the next hint of this exercise",
        "id": "Tampilkan petunjuk berikutnya untuk latihan ini",
    },
    "key.lesson.trace": {"en": "Trace", "id": "Jejak"},
    "key.lesson.trace.tip": {
        "en": "Open this step's calls in the trace player, with every header and body",
        "id": "Buka panggilan langkah ini di pemutar jejak, lengkap dengan header dan body",
    },
    "key.lesson.jump": {"en": "Go to step", "id": "Ke langkah"},
    "key.lesson.jump.tip": {
        "en": "Jump to a step by its number",
        "id": "Lompat ke sebuah langkah menurut nomornya",
    },
    "presenter.help": {
        "en": """\
# Presenter mode

The lesson for a room: large narration, a map without the log, and the next step announced at
the bottom. The world was restored and every service checked before step 1; a problem found
then is shown in red above the narration before anyone runs a step.

- **r** or **Enter** runs the step live · **n**, **→**, **Space** next · **b**, **←** back
- **g** then the step's number jumps to it · **p** shows or hides your presenter notes
- **f** after a live failure: replay the step's recorded calls from its last good run on the
  map, one by one (the map says it is a recording)
""",
        "id": """\
# Mode penyaji

Pelajaran untuk sebuah ruangan: narasi besar, peta tanpa log, dan langkah berikutnya diumumkan
di bawah. Dunia sudah dipulihkan dan setiap layanan diperiksa sebelum langkah 1; masalah yang
ditemukan saat itu ditampilkan dengan merah di atas narasi sebelum langkah apa pun dijalankan.

- **r** atau **Enter** menjalankan langkah secara langsung · **n**, **→**, **Spasi** lanjut ·
  **b**, **←** kembali
- **g** lalu nomor langkah untuk melompat ke sana · **p** menampilkan atau menyembunyikan
  catatan penyaji
- **f** setelah kegagalan langsung: putar ulang panggilan rekaman langkah ini dari putaran baik
  terakhirnya di peta, satu per satu (peta menyebutkan bahwa itu rekaman)
""",
    },
    "presenter.next": {"en": "Next: {number}. {title}", "id": "Berikutnya: {number}. {title}"},
    "presenter.last": {
        "en": "This is the last step.",
        "id": "Ini langkah terakhir.",
    },
    "presenter.fallback_offer": {
        "en": "The step failed live. Press f to replay its last good run on the map.",
        "id": "Langkah gagal secara langsung. Tekan f untuk memutar ulang putaran baik "
        "terakhirnya di peta.",
    },
    "presenter.no_fallback": {
        "en": "The step failed live and has no recorded run to replay yet.",
        "id": "Langkah gagal secara langsung dan belum punya rekaman untuk diputar ulang.",
    },
    "presenter.replaying": {
        "en": "recorded run (replay)",
        "id": "rekaman (putar ulang)",
    },
    "key.presenter.notes": {"en": "Notes", "id": "Catatan"},
    "key.presenter.notes.tip": {
        "en": "Show or hide the presenter notes",
        "id": "Tampilkan atau sembunyikan catatan penyaji",
    },
    "key.presenter.fallback": {"en": "Replay recording", "id": "Putar rekaman"},
    "key.presenter.fallback.tip": {
        "en": "Replay this step's calls from its last good run on the map",
        "id": "Putar ulang panggilan langkah ini dari putaran baik terakhirnya di peta",
    },
    "jump.title": {"en": "Go to step", "id": "Ke langkah"},
    "jump.placeholder": {"en": "Step number", "id": "Nomor langkah"},
    "key.jump.close": {"en": "Close", "id": "Tutup"},
    "key.jump.close.tip": {"en": "Stay on this step", "id": "Tetap di langkah ini"},
    # -- composer ---------------------------------------------------------------------------
    "composer.screen_help": {
        "en": """\
# The composer

Poke at an integration by hand. Choose an institution, one of its endpoints (read from its own
OpenAPI document), and **who** you are: a persona (the buyer logs in with her PIN at the bank,
uses her session at the video app), a partner institution (signing in that institution's
dialect: SNAP at the bank, the open platform at the marketplace), or anonymous.

The body is pre-filled from the endpoint's schema; edit it and press **F5** (or the Send
button). The call is recorded like every other: see it on the map (1).
""",
        "id": """\
# Penyusun

Coba-coba sebuah integrasi dengan tangan. Pilih lembaga, salah satu endpoint-nya (dibaca dari
dokumen OpenAPI miliknya), dan **siapa** Anda: sebuah persona (si pembeli masuk dengan PIN-nya
di bank, memakai sesinya di aplikasi video), lembaga mitra (menandatangani dengan dialek
lembaga itu: SNAP di bank, open platform di marketplace), atau anonim.

Body sudah terisi dari skema endpoint; ubah lalu tekan **F5** (atau tombol Kirim). Panggilan
itu direkam seperti panggilan lain: lihat di peta (1).
""",
    },
    "composer.help": {
        "en": """\
## Composer

Choose a **service**, one of its **endpoints** and **who** sends the request: a persona
(the buyer), a partner institution (credentials are added for you) or `anonymous`.
The body is pre-filled from the service's OpenAPI example; edit it freely.
Add headers as `Name: value; Other: value`. Press **F5** (or ctrl+enter) to send.
The call appears on the map and in the log like any other.
""",
        "id": """\
## Penyusun

Pilih sebuah **layanan**, salah satu **endpoint**-nya, dan **siapa** yang mengirim permintaan:
sebuah persona (si pembeli), lembaga mitra (kredensial ditambahkan untuk Anda) atau
`anonymous`. Body sudah terisi dari contoh OpenAPI layanan itu; ubah sesuka Anda.
Tambahkan header sebagai `Name: value; Other: value`. Tekan **F5** (atau ctrl+enter) untuk
mengirim. Panggilannya muncul di peta dan di log seperti panggilan lain.
""",
    },
    "composer.service": {"en": "Service", "id": "Layanan"},
    "composer.service.tip": {"en": "The institution to call", "id": "Lembaga yang dipanggil"},
    "composer.endpoint": {"en": "Endpoint", "id": "Endpoint"},
    "composer.endpoint.tip": {"en": "What to call", "id": "Apa yang dipanggil"},
    "composer.identity": {"en": "As", "id": "Sebagai"},
    "composer.identity.tip": {"en": "Who calls", "id": "Siapa yang memanggil"},
    "composer.as": {"en": "as {name}", "id": "sebagai {name}"},
    "composer.headers": {"en": "Headers (Name: value; …)", "id": "Header (Name: value; …)"},
    "composer.headers_named": {"en": "Headers: {names}", "id": "Header: {names}"},
    "composer.headers.tip": {
        "en": "Extra request headers, e.g. Idempotency-Key: pay-001",
        "id": "Header permintaan tambahan, mis. Idempotency-Key: pay-001",
    },
    "composer.send": {"en": "Send F5", "id": "Kirim F5"},
    "composer.send.tip": {
        "en": "Send the request (F5 or ctrl+enter)",
        "id": "Kirim permintaan (F5 atau ctrl+enter)",
    },
    "composer.nothing_sent": {"en": "Nothing sent yet.", "id": "Belum ada yang dikirim."},
    "composer.response": {"en": "Response", "id": "Respons"},
    "composer.no_identities": {
        "en": "Could not list identities for {service}: {error}",
        "id": "Tidak bisa mendaftar identitas untuk {service}: {error}",
    },
    "composer.no_openapi": {
        "en": "Could not read {service}'s OpenAPI document: {error}",
        "id": "Tidak bisa membaca dokumen OpenAPI milik {service}: {error}",
    },
    "composer.not_sent": {
        "en": "{error} Nothing was sent.",
        "id": "{error} Tidak ada yang dikirim.",
    },
    "composer.pick_endpoint": {
        "en": "Pick a service and an endpoint first.",
        "id": "Pilih layanan dan endpoint dulu.",
    },
    "composer.pick_identity": {
        "en": "Pick who sends the request.",
        "id": "Pilih siapa yang mengirim permintaan.",
    },
    "composer.form_body": {
        "en": "This endpoint takes a form: write it as one JSON object.",
        "id": "Endpoint ini menerima formulir: tulis sebagai satu objek JSON.",
    },
    "composer.bad_json": {
        "en": "Invalid JSON at line {line}, column {column}: {reason}.",
        "id": "JSON tidak valid di baris {line}, kolom {column}: {reason}.",
    },
    "composer.bad_header": {
        "en": "Header {header} should read Name: value.",
        "id": "Header {header} harus berbentuk Name: value.",
    },
    "composer.sending": {
        "en": "Sending {method} {path} as {identity}…",
        "id": "Mengirim {method} {path} sebagai {identity}…",
    },
    "composer.no_response": {"en": "no response · {took}", "id": "tanpa respons · {took}"},
    "composer.more_characters": {
        "en": "\n… ({count} more characters not shown)",
        "id": "\n… ({count} karakter lagi tidak ditampilkan)",
    },
    "composer.required": {"en": "required", "id": "wajib"},
    "composer.optional": {"en": "optional", "id": "opsional"},
    "composer.default": {"en": "default {value}", "id": "bawaan {value}"},
    "composer.param": {
        "en": "{name} ({location}, {hint})",
        "id": "{name} ({location}, {hint})",
    },
    "composer.body": {"en": "Body", "id": "Body"},
    "composer.no_body_for": {
        "en": "No body for {method} {path}",
        "id": "Tanpa body untuk {method} {path}",
    },
    "composer.body_form": {
        "en": "Body (form, written as JSON)",
        "id": "Body (formulir, ditulis sebagai JSON)",
    },
    "composer.body_json": {"en": "Body (JSON)", "id": "Body (JSON)"},
    "composer.no_body": {"en": "No body", "id": "Tanpa body"},
    "key.composer.send": {"en": "Send", "id": "Kirim"},
    "key.composer.send.tip": {
        "en": "Send the request as the chosen identity",
        "id": "Kirim permintaan sebagai identitas yang dipilih",
    },
    # -- Textual's own words, matched by their English text (see `textual_text`) ------------
    "textual.palette": {"en": "palette", "id": "palet"},
    "textual.search": {"en": "Search for commands…", "id": "Cari perintah…"},
    "textual.palette_tip": {"en": "Open the command palette", "id": "Buka palet perintah"},
    "textual.quit": {"en": "Quit", "id": "Keluar"},
    "textual.quit_tip": {
        "en": "Quit the app and return to the command prompt.",
        "id": "Keluar dari aplikasi dan kembali ke prompt perintah.",
    },
    "textual.quit_now": {
        "en": "Quit the application as soon as possible",
        "id": "Keluar dari aplikasi secepatnya",
    },
    "textual.theme": {"en": "Theme", "id": "Tema"},
    "textual.theme_tip": {"en": "Change the current theme", "id": "Ganti tema saat ini"},
    "textual.keys": {"en": "Keys", "id": "Tombol"},
    "textual.keys_hide": {
        "en": "Hide the keys and widget help panel",
        "id": "Sembunyikan panel tombol dan bantuan widget",
    },
    "textual.keys_show": {
        "en": "Show help for the focused widget and a summary of available keys",
        "id": "Tampilkan bantuan widget yang aktif dan ringkasan tombol yang tersedia",
    },
    "textual.minimize": {"en": "Minimize", "id": "Kecilkan"},
    "textual.minimize_tip": {
        "en": "Minimize the widget and restore to normal size",
        "id": "Kecilkan widget dan kembalikan ke ukuran normal",
    },
    "textual.maximize": {"en": "Maximize", "id": "Besarkan"},
    "textual.maximize_tip": {
        "en": "Maximize the focused widget",
        "id": "Besarkan widget yang aktif",
    },
    "textual.screenshot": {"en": "Screenshot", "id": "Tangkapan layar"},
    "textual.screenshot_tip": {
        "en": "Save an SVG 'screenshot' of the current screen",
        "id": "Simpan 'tangkapan layar' SVG dari layar saat ini",
    },
    "textual.scroll_up": {"en": "Scroll Up", "id": "Gulir ke atas"},
    "textual.scroll_down": {"en": "Scroll Down", "id": "Gulir ke bawah"},
    "textual.scroll_left": {"en": "Scroll Left", "id": "Gulir ke kiri"},
    "textual.scroll_right": {"en": "Scroll Right", "id": "Gulir ke kanan"},
    "textual.scroll_home": {"en": "Scroll Home", "id": "Gulir ke awal"},
    "textual.scroll_end": {"en": "Scroll End", "id": "Gulir ke akhir"},
    "textual.page_up": {"en": "Page Up", "id": "Halaman naik"},
    "textual.page_down": {"en": "Page Down", "id": "Halaman turun"},
    "textual.page_left": {"en": "Page Left", "id": "Halaman kiri"},
    "textual.page_right": {"en": "Page Right", "id": "Halaman kanan"},
    "textual.focus_next": {"en": "Focus Next", "id": "Fokus berikutnya"},
    "textual.focus_previous": {"en": "Focus Previous", "id": "Fokus sebelumnya"},
    "textual.copy": {"en": "Copy selected text", "id": "Salin teks terpilih"},
    "textual.up": {"en": "Up", "id": "Naik"},
    "textual.down": {"en": "Down", "id": "Turun"},
    "textual.first": {"en": "First", "id": "Pertama"},
    "textual.last": {"en": "Last", "id": "Terakhir"},
    "textual.select": {"en": "Select", "id": "Pilih"},
    "textual.show_menu": {"en": "Show menu", "id": "Tampilkan menu"},
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_TEXTUAL = {entry["en"]: key for key, entry in CATALOGUE.items() if key.startswith("textual.")}


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
    """The text for `key` in the current language, with `{placeholders}` filled in.

    Without values the text comes back as written, placeholders and all (faces fill theirs in
    as markup variables).
    """
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    text = entry.get(_lang) or entry["en"]
    return text.format(**values) if values else text


def known(key: str) -> bool:
    """True when the catalogue has `key`."""
    return key in CATALOGUE


def placeholders(text: str) -> set[str]:
    """The `{names}` a catalogue text expects."""
    return set(_PLACEHOLDER.findall(text))


def role_text(name: str, role: str, kind: str) -> str:
    """What a service is, in the current language: built-in institutions are translated,
    a user's own service keeps the words its author wrote in sandbox.toml."""
    entry = CATALOGUE.get(f"role.{name}")
    if kind != "builtin" or entry is None or entry["en"] != role:
        return role
    return t(f"role.{name}")


def number(value: int) -> str:
    """A count with the language's digit grouping: 12,345 or 12.345."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if _lang == "id" else grouped


def textual_text(english: str) -> str:
    """One of Textual's own English words ("Quit", "Scroll Up") in the current language."""
    key = _TEXTUAL.get(english)
    return t(key) if key is not None else english


class Lazy:
    """A class attribute that is a catalogue text, looked up each time it is read.

    `HELP = Lazy("map.help")`: Textual and the help screen read `HELP` when they show it.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return t(self.key)


def translate_binding(binding: Binding) -> Binding:
    """`binding` with its description and tooltip in the current language.

    Our bindings are found by id (`key.<id>`, `key.<id>.tip`), Textual's by their English text.
    """
    key = f"key.{binding.id}"
    if binding.id and known(key):
        description = t(key) if binding.description else ""
        tooltip = t(f"{key}.tip") if known(f"{key}.tip") else binding.tooltip
    else:
        description = textual_text(binding.description)
        tooltip = textual_text(binding.tooltip)
    if description == binding.description and tooltip == binding.tooltip:
        return binding
    return dataclasses.replace(binding, description=description, tooltip=tooltip)


class TranslatedBindings(_ScreenBase):
    """Mixin for screens: the bindings they show (footer, keys panel, palette) translated.

    Put it before the screen class: `class MapScreen(TranslatedBindings, Screen[None])`.
    """

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's active bindings, each with its description and tooltip translated."""
        active: dict[str, ActiveBinding] = {}
        for key, (node, binding, enabled, tooltip) in super().active_bindings.items():
            translated = translate_binding(binding)
            if tooltip == binding.tooltip:
                tooltip = translated.tooltip
            active[key] = ActiveBinding(node, translated, enabled, tooltip)
        return active
