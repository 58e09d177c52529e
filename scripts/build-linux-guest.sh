#!/usr/bin/env bash
# Builds the default Linux guest from Debian's own i386 packages: the non-PAE
# 686 kernel and a busybox initramfs whose /init is guest/linux/init.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: scripts/build-linux-guest.sh [--no-iso] [--no-disk] [--force] [--help]

Fetches Debian's current i386 packages by name (linux-image-686, resolved to
its linux-image-<version>-686 dependency, and busybox-static:i386), and
writes into ${SANDPC_CACHE:-$HOME/.cache/sandpc}/linux/:

  bzImage             the kernel (the package's /boot/vmlinuz-*)
  initramfs.cpio.gz   busybox (static) + /init from guest/linux/init
  kernel-config       the kernel's config, and kernel-version
  builtin-report.txt  which drivers the guest needs are built in (y) or not
  sandpc-linux.iso    isolinux CD holding the same kernel and initramfs
                      (skipped with --no-iso)
  sandpc-linux-disk.img
                      ATA hard disk: syslinux MBR, one active FAT partition at
                      1 MiB holding syslinux, bzImage, initrd.gz and job.gz
                      (skipped with --no-disk; built without root)

Boot it with a command line such as
  console=ttyS0 panic=-1 sandpc.cmd=<base64 of a shell script>
(see guest/linux/init for the job protocol). The disk boots with
  console=ttyS0 panic=-1 cryptomgr.notests
and loads job.gz from its partition as a second initrd; it is an empty cpio
archive (an interactive shell). To run a job from the disk, replace it in a
copy of the image with a gzipped cpio archive holding /job.sh:
  mcopy -o -i copy.img@@1M job.gz ::job.gz

Needs root (dpkg --add-architecture, apt-get) and network access to a Debian
mirror. Installs missing host tools (cpio, gzip, xorriso, isolinux,
syslinux-common, syslinux, mtools) with apt-get. Re-running reuses the cache when the package
versions and /init are unchanged; --force rebuilds anyway.
EOF
}

want_iso=1
want_disk=1
force=0
for arg in "$@"; do
    case "$arg" in
    --help | -h) usage; exit 0 ;;
    --no-iso) want_iso=0 ;;
    --no-disk) want_disk=0 ;;
    --force) force=1 ;;
    *) echo "build-linux-guest: unknown option '$arg' (try --help)" >&2; exit 2 ;;
    esac
done

repo="$(cd "$(dirname "$0")/.." && pwd)"
init_script="$repo/guest/linux/init"
out="${SANDPC_CACHE:-$HOME/.cache/sandpc}/linux"
log() { echo "build-linux-guest: $*"; }
die() { echo "build-linux-guest: error: $*" >&2; exit 1; }

[ -f "$init_script" ] || die "missing $init_script"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "needs root or sudo for apt-get"
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing host tools: ${missing[*]}"
        $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# --- package lists ---------------------------------------------------------
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    log "adding the i386 architecture to dpkg"
    $SUDO dpkg --add-architecture i386
fi
log "apt-get update"
# A mirror mid-sync fails one index; the lists that did load may still hold
# both packages, which the candidate checks below verify.
$SUDO apt-get update -qq || log "warning: apt-get update reported errors; continuing with the lists it got"
tools=(cpio gzip)
[ "$want_iso" -eq 1 ] && tools+=(xorriso isolinux syslinux-common)
[ "$want_disk" -eq 1 ] && tools+=(syslinux syslinux-common mtools)
install_missing "${tools[@]}"

# --- resolve package names and versions ------------------------------------
kernel_pkg=$(apt-cache depends linux-image-686:i386 2>/dev/null |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^: ]*-686\)\(:i386\)\?$/\1/p' | head -n1)
if [ -z "$kernel_pkg" ]; then
    log "linux-image-686 not found; picking the newest linux-image-*-686"
    kernel_pkg=$(apt-cache search --names-only '^linux-image-[0-9].*-686$' |
        awk '{print $1}' | sort -V | tail -n1)
fi
[ -n "$kernel_pkg" ] || die "no linux-image-*-686 package in the i386 lists"
candidate() {
    apt-cache policy "$1" | sed -n 's/^ *Candidate: //p' | head -n1
}
kernel_ver=$(candidate "$kernel_pkg:i386")
busybox_ver=$(candidate busybox-static:i386)
for v in "$kernel_pkg:i386=$kernel_ver" "busybox-static:i386=$busybox_ver"; do
    case "${v#*=}" in "" | "(none)") die "${v%%=*} has no installable version in the apt lists" ;; esac
done
log "kernel package:  $kernel_pkg $kernel_ver"
log "busybox package: busybox-static $busybox_ver"

stamp_text="$kernel_pkg=$kernel_ver busybox-static=$busybox_ver init=$(cat "$init_script" "$0" | sha256sum | cut -d' ' -f1) iso=$want_iso disk=$want_disk"
if [ "$force" -eq 0 ] && [ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp_text" ] &&
    [ -f "$out/bzImage" ] && [ -f "$out/initramfs.cpio.gz" ] &&
    { [ "$want_iso" -eq 0 ] || [ -f "$out/sandpc-linux.iso" ]; } &&
    { [ "$want_disk" -eq 0 ] || [ -f "$out/sandpc-linux-disk.img" ]; }; then
    log "cache is current: $out"
    ls -l "$out"
    exit 0
fi

# --- download and extract --------------------------------------------------
mkdir -p "$out/debs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
    cd "$out/debs"
    for spec in "$kernel_pkg:i386=$kernel_ver" "busybox-static:i386=$busybox_ver"; do
        name=${spec%%:*}
        ver=${spec#*=}
        deb="${name}_${ver//:/%3a}_i386.deb"  # apt-get download's file name
        if [ ! -f "$deb" ]; then
            rm -f "${name}_"*_i386.deb
            log "downloading $spec"
            # apt drops privileges to _apt when it can; the cache may not be
            # writable for it, which only costs a warning.
            apt-get download -q "$spec" 2>&1 | grep -v "unsandboxed" || true
        else
            log "reusing $deb"
        fi
    done
)
kernel_deb=$(ls "$out/debs/${kernel_pkg}_"*_i386.deb | head -n1)
busybox_deb=$(ls "$out/debs/busybox-static_"*_i386.deb | head -n1)
[ -f "$kernel_deb" ] || die "download of $kernel_pkg failed"
[ -f "$busybox_deb" ] || die "download of busybox-static failed"

log "extracting $(basename "$kernel_deb")"
dpkg-deb -x "$kernel_deb" "$work/kernel"
vmlinuz=$(ls "$work"/kernel/boot/vmlinuz-* | head -n1)
config=$(ls "$work"/kernel/boot/config-* | head -n1)
[ -f "$vmlinuz" ] || die "no /boot/vmlinuz-* in $kernel_deb"
kernel_release=${vmlinuz##*/vmlinuz-}
cp "$vmlinuz" "$out/bzImage"
cp "$config" "$out/kernel-config"
echo "$kernel_release" >"$out/kernel-version"

# What the guest relies on, built in (y) or a module (m) or absent.
{
    echo "# $kernel_release: options the sandpc guest relies on"
    for opt in BLK_DEV_INITRD RD_GZIP DEVTMPFS PROC_FS SYSFS DEVPORT SERIAL_8250 \
        SERIAL_8250_CONSOLE VT VGA_CONSOLE X86_PAE HIGHMEM4G ACPI APM PCI ATA ATA_PIIX \
        BLK_DEV_SD EXT2_FS EXT4_FS ISO9660_FS VFAT_FS SCSI VIRTIO_PCI; do
        val=$(sed -n "s/^CONFIG_${opt}=\(.*\)/\1/p" "$config")
        printf '%-22s %s\n' "$opt" "${val:-n}"
    done
} >"$out/builtin-report.txt"
log "kernel config summary ($out/builtin-report.txt):"
sed 's/^/    /' "$out/builtin-report.txt"

log "extracting $(basename "$busybox_deb")"
dpkg-deb -x "$busybox_deb" "$work/busybox"
[ -x "$work/busybox/bin/busybox" ] || die "no /bin/busybox in $busybox_deb"

# --- initramfs -------------------------------------------------------------
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root,etc}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$init_script" "$root/init"
# The kernel opens /dev/console before /init runs; /init copes if it is
# missing (non-root builds cannot create the node).
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || log "no /dev/console node (not root)"
log "packing initramfs"
(cd "$root" && find . -print0 | sort -z | cpio --null -o -H newc --quiet --owner=0:0) |
    gzip -9 -n >"$out/initramfs.cpio.gz"

# --- ISO -------------------------------------------------------------------
rm -f "$out/sandpc-linux.iso"
if [ "$want_iso" -eq 1 ]; then
    log "building the isolinux ISO"
    iso="$work/iso"
    mkdir -p "$iso/isolinux" "$iso/boot"
    cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
    cp "$out/bzImage" "$iso/boot/bzImage"
    cp "$out/initramfs.cpio.gz" "$iso/boot/initrd.gz"
    # A short boot: prompt (0.5 s) where a test types extra kernel options,
    # e.g. "linux sandpc.cmd=<base64>"; they follow the APPEND line.
    cat >"$iso/isolinux/isolinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT linux
PROMPT 1
TIMEOUT 5
LABEL linux
  KERNEL /boot/bzImage
  APPEND initrd=/boot/initrd.gz console=tty0 console=ttyS0 panic=-1
EOF
    xorriso -as mkisofs -quiet -o "$out/sandpc-linux.iso" -V SANDPC_LINUX \
        -isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
        -b isolinux/isolinux.bin -c isolinux/boot.cat \
        -no-emul-boot -boot-load-size 4 -boot-info-table "$iso"
fi

# --- ATA disk image --------------------------------------------------------
# Built unprivileged: mtools formats and fills the partition through the
# image file at its offset, and syslinux installs itself the same way.
rm -f "$out/sandpc-linux-disk.img"
if [ "$want_disk" -eq 1 ]; then
    log "building the ATA disk image"
    disk="$work/disk.img"
    part_start=2048  # sectors: 1 MiB, the usual alignment
    payload_mib=$(( ($(stat -c %s "$out/bzImage") + $(stat -c %s "$out/initramfs.cpio.gz")) >> 20 ))
    disk_mib=$(( (payload_mib + 8 + 3) / 4 * 4 ))  # 4+ MiB to spare, whole 4 MiB
    part_sectors=$(( disk_mib * 2048 - part_start ))
    truncate -s "${disk_mib}M" "$disk"
    dd if=/usr/lib/syslinux/mbr/mbr.bin of="$disk" bs=440 count=1 conv=notrunc status=none
    le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
    # One partition entry (active; CHS fields saturated, so LBA only; type
    # 0Eh, FAT16 with LBA) and the boot signature.
    printf "\\x80\\xfe\\xff\\xff\\x0e\\xfe\\xff\\xff$(le32 $part_start)$(le32 $part_sectors)" |
        dd of="$disk" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$disk" bs=1 seek=510 conv=notrunc status=none
    part="$disk@@$((part_start * 512))"
    mformat -i "$part" -T "$part_sectors" -h 16 -s 63 -H "$part_start" -v SANDPC ::
    syslinux --install --offset $((part_start * 512)) "$disk"
    cat >"$work/syslinux.cfg" <<'EOF'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL /bzImage
  APPEND initrd=/initrd.gz,/job.gz console=ttyS0 panic=-1 cryptomgr.notests
EOF
    # An empty cpio archive: no /job.sh, so /init starts a shell.
    cpio -o -H newc --quiet </dev/null | gzip -9 -n >"$work/job.gz"
    mcopy -i "$part" "$work/syslinux.cfg" ::syslinux.cfg
    mcopy -i "$part" "$out/bzImage" ::bzImage
    mcopy -i "$part" "$out/initramfs.cpio.gz" ::initrd.gz
    mcopy -i "$part" "$work/job.gz" ::job.gz
    mdir -i "$part" -b ::
    mv "$disk" "$out/sandpc-linux-disk.img"
fi

echo "$stamp_text" >"$out/stamp"
log "done: kernel $kernel_release"
ls -l "$out"
