#include "rendergate/compat.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "rendergate: not built yet\n");
	return 3;
}
