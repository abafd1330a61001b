// The pseudo-terminal of a terminal session (spawnTerminal in spawn.c), made here rather than by
// forkpty(3): the gateway is not forked for it, and its master is close-on-exec from the start, so
// no other program the gateway starts can inherit it and read or type into another session.
//
// resizeTerminal(fd, cols, rows) -> errno: sets a master's window size (the program gets SIGWINCH);
//   0 or the errno of TIOCSWINSZ.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include "napi-helpers.h"
#include "terminal.h"

/**
 * The modes of a terminal a user just opened, as terminal emulators and node-pty set them: canonical
 * input with echo and the usual control characters, CR read as NL, NL written as CR NL, UTF-8 erase.
 */
static void initial_modes(struct termios *modes) {
  modes->c_iflag = ICRNL | IXON | IXANY | IMAXBEL | BRKINT | IUTF8;
  modes->c_oflag = OPOST | ONLCR;
  modes->c_cflag = CREAD | CS8 | HUPCL;
  modes->c_lflag = ICANON | ISIG | IEXTEN | ECHO | ECHOE | ECHOK | ECHOKE | ECHOCTL;
  for (int i = 0; i < NCCS; i++) modes->c_cc[i] = _POSIX_VDISABLE;
  modes->c_cc[VEOF] = 4;         // Ctrl-D
  modes->c_cc[VERASE] = 0x7f;    // DEL, what terminals send for Backspace
  modes->c_cc[VWERASE] = 23;     // Ctrl-W
  modes->c_cc[VKILL] = 21;       // Ctrl-U
  modes->c_cc[VREPRINT] = 18;    // Ctrl-R
  modes->c_cc[VINTR] = 3;        // Ctrl-C
  modes->c_cc[VQUIT] = 0x1c;     // Ctrl-backslash
  modes->c_cc[VSUSP] = 26;       // Ctrl-Z
  modes->c_cc[VSTART] = 17;      // Ctrl-Q
  modes->c_cc[VSTOP] = 19;       // Ctrl-S
  modes->c_cc[VLNEXT] = 22;      // Ctrl-V
  modes->c_cc[VDISCARD] = 15;    // Ctrl-O
  modes->c_cc[VMIN] = 1;
  modes->c_cc[VTIME] = 0;
  cfsetispeed(modes, B38400);
  cfsetospeed(modes, B38400);
}

int terminal_open(uint16_t cols, uint16_t rows, int *master_out, int *slave_out, char *path, size_t size) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
  if (master < 0) return errno;
  int slave = -1;
  int err = 0;
  struct termios modes;
  struct winsize window = {.ws_row = rows, .ws_col = cols};
  if (grantpt(master) != 0 || unlockpt(master) != 0) err = errno;
  else err = ptsname_r(master, path, size);
  if (err == 0 && (slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) err = errno;
  if (err == 0 && tcgetattr(slave, &modes) != 0) err = errno;
  if (err == 0) {
    initial_modes(&modes);
    if (tcsetattr(slave, TCSANOW, &modes) != 0 || ioctl(master, TIOCSWINSZ, &window) != 0) err = errno;
  }
  if (err != 0) {
    if (slave >= 0) close(slave);
    close(master);
    return err;
  }
  *master_out = master;
  *slave_out = slave;
  return 0;
}

static napi_value resize_terminal(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd, cols, rows;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || napi_get_value_int32(env, argv[1], &cols) != napi_ok ||
      napi_get_value_int32(env, argv[2], &rows) != napi_ok || fd < 0 || cols < 1 || cols > UINT16_MAX || rows < 1 ||
      rows > UINT16_MAX) {
    napi_throw_type_error(env, "EINVAL", "resizeTerminal(fd, cols, rows): sizes from 1 to 65535");
    return NULL;
  }
  struct winsize window = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  napi_value result;
  napi_create_int32(env, ioctl(fd, TIOCSWINSZ, &window) == 0 ? 0 : errno, &result);
  return result;
}

bool terminal_init(napi_env env, napi_value exports) {
  static const NamedFunction functions[] = {{"resizeTerminal", resize_terminal}};
  return export_functions(env, exports, functions, sizeof functions / sizeof functions[0]);
}
