#!/bin/sh
# Prints 1 when the C compiler can link a static program (binding.gyp links the keeper so), else 0.
dir=$(mktemp -d) || { echo 0; exit 0; }
printf 'int main(void) { return 0; }\n' > "$dir/probe.c"
if ${CC:-cc} -static -o "$dir/probe" "$dir/probe.c" >/dev/null 2>&1 && "$dir/probe"; then echo 1; else echo 0; fi
rm -rf "$dir"
