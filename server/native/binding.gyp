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
      'sources': ['spawn.c'],
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
        # Linked statically where the C library can be: every session starts it, and the dynamic
        # loader's work was most of its start (0.8 of 1.5 ms per start measured here). Where there
        # is no static libc (glibc-static not installed), it is linked as usual.
        ['<!(sh ./static-libc.sh)==1', {'ldflags': ['-static']}],
      ],
    },
  ],
}
