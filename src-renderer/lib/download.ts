// Saving a file the page made (a CSV of a table, an export): a Blob behind a temporary link. Works
// the same in a browser and in the Electron window (whose shell decides where downloads go).

/** Offers `body` to the user as a file named `filename`. */
export function downloadText(filename: string, contentType: string, body: string): void {
  const url = URL.createObjectURL(new Blob([body], { type: contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its copy by the next task; the URL would otherwise hold the Blob.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
