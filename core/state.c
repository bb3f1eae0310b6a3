/* The library's state, in the parts libckpt.h describes.  Only data: every
 * file that reads or changes it includes libckpt.h, none is included here. */
#include "libckpt.h"

/* written by config.c only, through its own declaration of this object */
struct ckpt_config ckpt_config_rw;
const struct ckpt_config *const ckpt_cfg = &ckpt_config_rw;

struct ckpt_self ckpt_self;
struct ckpt_runtime ckpt_rt;
struct ckpt_snapshot ckpt_snap;
