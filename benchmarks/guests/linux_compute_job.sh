# The reference compute job for the Linux guest (busybox sh). Four parts,
# each between "BENCH-BEGIN name" and "BENCH-END name" lines that the host
# timestamps; each part prints a result line so runs can be cross-checked.
# linux_job.sh drops the comment lines and base64s the rest onto the kernel
# command line (2048-byte limit). $1: work directory (default /tmp).
cd "${1:-/tmp}" || exit 1
seq 60000 >s
cat s s s s s s s s >d
b() { echo "BENCH-BEGIN $1"; }
e() { echo "BENCH-END $1"; }
b crc32
for i in 1 2 3 4; do crc32 d; done | sort | uniq -c
e crc32
b hash
sha256sum d; md5sum d
e hash
b sieve
awk 'BEGIN { n = 9000
  for (i = 2; i * i <= n; i++) if (!c[i]) for (j = i * i; j <= n; j += i) c[j] = 1
  for (i = 2; i <= n; i++) p += !c[i]
  print "primes", p }'
e sieve
b x87
awk 'BEGIN { for (i = 1; i <= 4000; i++) { s += 1 / (i * i); x = i
    for (k = 0; k < 5; k++) x = (x + i / x) / 2
    r += x }
  printf "x87 %.12f %.6f\n", s, r }'
e x87
rm -f s d
