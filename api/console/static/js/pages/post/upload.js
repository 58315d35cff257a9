// Evidence photos sent by tus as the field app sends them (POST /api/v1/uploads with the
// inspection, item, file name and type, sha256 and capture time), then followed until the
// server has processed the photo. tus-js-client is the field app's vendored copy, loaded once.

import { ApiError, API, get, session } from "../../api.js";
import { uuid } from "../../dom.js";

const TUS_SRC = "/app/static/vendor/tus-js-client/tus.min.js";
/** @type {Promise<void> | null} */
let loading = null;

/** Loads tus-js-client (a classic script defining the global `tus`) once. */
function loadTus() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = TUS_SRC;
      script.onload = () => resolve();
      script.onerror = () => { loading = null; reject(new Error("Không tải được thư viện tải ảnh lên.")); };
      document.head.append(script);
    });
  }
  return loading;
}

/** The hex sha256 of a file. @param {Blob} file */
async function sha256(file) {
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A tus error as the ApiError of the problem+json it was refused with. @param {any} err */
function refusal(err) {
  const resp = err && err.originalResponse;
  if (!resp) return new ApiError(0, null);
  let problem = null;
  try { problem = JSON.parse(resp.getBody() || "null"); } catch { /* not JSON */ }
  return new ApiError(resp.getStatus(), problem);
}

/**
 * Sends `file` as evidence for the finding's item and resolves with the photo's id once it is
 * `ready`; rejects with the server's refusal (too large, wrong type, …) or the processing's.
 * @param {File} file @param {{inspectionId: string, itemCode: string,
 *   onProgress: (sent: number, total: number) => void, onProcessing: () => void}} options
 * @returns {Promise<string>}
 */
export async function sendEvidence(file, { inspectionId, itemCode, onProgress, onProcessing }) {
  await loadTus();
  let photoId = uuid();
  const digest = await sha256(file);
  await new Promise((resolve, reject) => {
    const upload = new tus.Upload(file, {
      endpoint: new URL(`${API}/uploads`, location.href).href,
      chunkSize: 256 * 1024,
      retryDelays: [0, 1000, 3000],
      storeFingerprintForResuming: false,
      headers: { Authorization: `Bearer ${session()?.token}` },
      metadata: {
        inspection_id: inspectionId, item_code: itemCode, filename: file.name,
        filetype: file.type || "application/octet-stream", sha256: digest,
        captured_at: new Date(file.lastModified || Date.now()).toISOString(), photo_id: photoId,
      },
      onProgress: onProgress,
      // The creation answers the photo this upload becomes (the same evidence sent before
      // is the photo already kept).
      onAfterResponse: (/** @type {any} */ req, /** @type {any} */ res) => {
        if (req.getMethod() !== "POST" || res.getStatus() >= 300) return;
        try { photoId = JSON.parse(res.getBody() || "{}").photo_id || photoId; } catch { /* keep ours */ }
      },
      onSuccess: () => resolve(undefined),
      onError: (/** @type {any} */ err) => reject(refusal(err)),
    });
    upload.start();
  });
  onProcessing();
  return waitReady(photoId);
}

/** Polls GET /photos/{id} until the photo is ready (or rejected). @param {string} photoId */
async function waitReady(photoId) {
  for (let i = 0; i < 120; i += 1) {
    const photo = await get(`/photos/${photoId}`);
    if (photo.status === "ready") return photoId;
    if (photo.status === "rejected") {
      throw new Error(`Ảnh bị từ chối: ${photo.reason || "không xử lý được"}.`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("Ảnh chưa xử lý xong; hãy thử lại sau ít phút.");
}
