// Globals of the classic scripts vendored beside the modules (Leaflet, idb, tus-js-client).
declare const L: any;
declare const idb: any;
declare const tus: any;
