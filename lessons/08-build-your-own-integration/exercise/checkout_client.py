"""Lesson 8: write the checkout yourself, through the public APIs only.

You are writing the code behind Sari Wulandari's phone. She wants the batik shirt (product
100101) she saw in video 1 of Klip, the short-video app. Buy it and pay for it, the way her
two apps would:

1. In Klip, tap Buy: Klip hands the order to Pasarloka, the marketplace. You never call the
   marketplace's partner API yourself; that API belongs to Klip, and its credentials are Klip's.
2. Read the checkout page that Pasarloka serves inside Klip: it holds the virtual account (VA)
   number and the amount.
3. In Bank Contoh's app, log in and pay that VA. Every payment needs an `Idempotency-Key`
   header, a name for this one payment, so a retry cannot charge Sari twice. The lesson step
   loses the bank's first answer on the way back (your client raises httpx.ReadTimeout after
   the bank answered) and runs `checkout` twice, as two purchases.
4. Optionally, wait until Klip shows the order as paid (`AWAITING_SHIPMENT`).

What `exercise` gives you:

- `exercise.client("social")`, `exercise.client("marketplace")`, `exercise.client("bank")`:
  an `httpx.Client` with the service's base URL. Every call you make with it is recorded as
  the learner's and shown on the map.
- `exercise.persona("buyer")`: Sari's facts as a dict. Klip knows her by `session_token`
  (send `Authorization: Bearer <session_token>`); the bank app logs her in with `account_no`
  and `pin`.
- `exercise.urls`: every service's base URL (each service's docs are at `<url>/docs`).

Sari's NIK is in her facts too. Klip must never receive it: a storefront has no use for it.

The lesson step runs `checkout(exercise)` and then judges the calls it made. `print` output is
shown under the step.

Ringkasan (Bahasa Indonesia): tulis kode di balik ponsel Sari. Ketuk Beli di Klip untuk produk
100101 dari video 1 (Klip meneruskan pesanan ke Pasarloka; jangan memanggil API mitra
marketplace sendiri), baca halaman checkout dari `checkout_url` untuk nomor VA dan jumlahnya,
lalu masuk ke aplikasi Bank Contoh dengan `account_no` dan `pin` Sari dan bayar VA itu dengan
header `Idempotency-Key`. Langkah pelajaran menghilangkan jawaban pertama bank di jalan (klien
Anda memunculkan httpx.ReadTimeout setelah bank menjawab): coba ulang dengan kunci yang sama.
`checkout` dijalankan dua kali, sebagai dua pembelian. Jangan pernah mengirim NIK Sari ke Klip.
"""

VIDEO_ID = 1
PRODUCT_ID = 100101


def checkout(exercise):
    """Buy one PRODUCT_ID from VIDEO_ID in Klip and pay its virtual account at Bank Contoh."""
    # Two lines to start from: Sari's facts, and a client for Klip.
    #     buyer = exercise.persona("buyer")
    #     klip = exercise.client("social")

    # TODO 1 (en): tap Buy in Klip for one PRODUCT_ID from VIDEO_ID, as Sari.
    #              Which endpoint does Klip offer for that? Look at its docs.
    # TODO 1 (id): ketuk Beli di Klip untuk satu PRODUCT_ID dari VIDEO_ID, sebagai Sari.
    #              Endpoint apa yang disediakan Klip untuk itu? Lihat dokumentasinya.

    # TODO 2 (en): open the checkout page the answer points to; read the VA number and amount.
    # TODO 2 (id): buka halaman checkout yang ditunjuk jawabannya; baca nomor VA dan jumlahnya.

    # TODO 3 (en): log in to Bank Contoh's app as Sari, then pay the VA with an
    #              Idempotency-Key. The first answer will be lost (httpx.ReadTimeout): retry.
    # TODO 3 (id): masuk ke aplikasi Bank Contoh sebagai Sari, lalu bayar VA-nya dengan
    #              Idempotency-Key. Jawaban pertama akan hilang (httpx.ReadTimeout): coba ulang.

    # TODO 4 (en, optional): ask Klip for the order until it shows AWAITING_SHIPMENT.
    # TODO 4 (id, pilihan): tanyakan pesanan ke Klip sampai statusnya AWAITING_SHIPMENT.

    raise NotImplementedError("write the checkout: start with TODO 1 / mulai dari TODO 1")
