/* SPDX-License-Identifier: MIT */
/*
 * Each public header compiles on its own under -std=c11 -pedantic -Werror
 * (meson builds this file once per header with HEADER defined).
 */
#include HEADER

int main(void)
{
	return 0;
}
