// Routes of this part of the console (see ../../router.js).

/** @type {import("../../router.js").Route[]} */
export const routes = [];
