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
  ],
}
