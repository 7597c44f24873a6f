/** The admin key every test stack is started with (BUILDCAST_ADMIN_KEY); `request()` sends it by default. */
export const TEST_ADMIN_KEY = 'bc_testadmin_0123456789abcdefghijklmnopqrstuv';
