{
  'targets': [
    {
      'target_name': 'cloexec',
      'sources': ['cloexec.c'],
      'defines': ['NAPI_VERSION=8'],
      'cflags': ['-Wall', '-Wextra', '-Werror'],
    },
    {
      'target_name': 'spawn',
      'sources': ['spawn.c', 'pipe-reader.c', 'pipe-writer.c', 'teardown.c', 'terminal.c'],
      'defines': ['NAPI_VERSION=8'],
      'cflags': ['-Wall', '-Wextra', '-Werror'],
    },
    {
      # Not an addon: the program every contained session runs under (see keeper.c).
      'target_name': 'shellgate-keeper',
      'type': 'executable',
      'sources': ['keeper.c'],
      'cflags': ['-Wall', '-Wextra', '-Werror', '-O2'],
      'conditions': [
        # Without a C library where the compiler can (keeper-sys.h): a fork and exec of the keeper
        # and `true` under it took 1.0-1.2 ms against 1.7-2.0 linked with static glibc.
        ['<!(sh ./nolibc-probe.sh)==1', {
          'defines': ['KEEPER_NOLIBC'],
          'cflags': ['-fno-stack-protector', '-fno-pie'],
          'ldflags': ['-static', '-nostdlib', '-no-pie'],
        }, {
          'conditions': [
            # Else linked statically where the C library can be: the dynamic loader's work was
            # most of its start (0.8 of 1.5 ms per start measured here). Where there is no static
            # libc (glibc-static not installed), it is linked as usual.
            ['<!(sh ./static-libc.sh)==1', {'ldflags': ['-static']}],
          ],
        }],
      ],
    },
  ],
}
