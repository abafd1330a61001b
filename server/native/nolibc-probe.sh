#!/bin/sh
# Prints 1 when the C compiler builds keeper.c without a C library (keeper-sys.h says why) and the
# result runs: it must answer a call without arguments with its usage and exit status 125. Else 0,
# and binding.gyp links the keeper with the C library.
dir=$(mktemp -d) || { echo 0; exit 0; }
if ${CC:-cc} -O2 -DKEEPER_NOLIBC -static -nostdlib -fno-stack-protector -fno-pie -no-pie \
  -o "$dir/keeper" keeper.c >/dev/null 2>&1; then
  "$dir/keeper" 2>"$dir/usage"
  status=$?
  if [ "$status" = 125 ] && grep -q '^usage: shellgate-keeper' "$dir/usage"; then echo 1; else echo 0; fi
else
  echo 0
fi
rm -rf "$dir"
