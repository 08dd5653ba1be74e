#include <zlib.h>

/* deflateInit2 is a macro (it passes the library's version and the
   stream's size); Swift cannot call macros, so this wraps it. */
static inline int czlib_deflate_init(z_streamp stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
