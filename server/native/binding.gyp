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
    },
  ],
}
