/* sanctwatch decode: placeholder until the framing layer lands (being written now). */
#include "cli.h"

int cmd_decode(int argc, char **argv)
{
    cli_error("decode: not built yet");
    return 1;
}
