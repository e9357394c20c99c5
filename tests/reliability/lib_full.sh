# Sourced by the disk-full tests (tests/reliability/t_disk_full*.sh): mounts a small tmpfs at
# $MNT (root only: the caller skips visibly otherwise), and fill_but KB, which fills it with a
# file of zeros until only KB kilobytes are free. The caller's EXIT trap must run
# unmount_full. Needs fail().
MNT=""
mount_full() { # SIZE (as for mount -o size=)
    [ "$(id -u)" -eq 0 ] || return 1
    MNT=$(mktemp -d) || return 1
    if ! mount -t tmpfs -o "size=$1" tmpfs "$MNT" 2>/dev/null; then
        rmdir "$MNT"
        MNT=""
        return 1
    fi
}
unmount_full() {
    [ -n "$MNT" ] || return 0
    umount "$MNT" 2>/dev/null && rmdir "$MNT"
}
fill_but() {
    rm -f "$MNT/filler"
    local avail
    avail=$(df -k --output=avail "$MNT" | tail -1)
    [ "$avail" -gt "$1" ] || fail "only $avail KB free on the tmpfs"
    dd if=/dev/zero of="$MNT/filler" bs=1k count=$((avail - $1)) status=none 2>/dev/null
}
