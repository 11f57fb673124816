/*
 * kust-driver.c - runs rg_cmd_kustomize as a program, for
 * tests/conformance-kustomize.sh and bench/kustomize.sh when the
 * rendergate binary does not dispatch `kustomize` (yet).
 */
#include "rendergate/compat.h"
#include "rendergate/kustcmd.h"

int main(int argc, char **argv)
{
	return rg_cmd_kustomize(argc, argv);
}
