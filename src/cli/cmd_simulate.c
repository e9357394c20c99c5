/* sanctwatch simulate: synthetic AIS traffic with labelled behaviour (work in progress). */
#include "cli.h"

int cmd_simulate(int argc, char **argv)
{
    cli_error("simulate: not built yet");
    return 1;
}
