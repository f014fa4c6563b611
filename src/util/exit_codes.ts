/** Exit codes: 0 success, 1 failure, 2 wrong usage. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
