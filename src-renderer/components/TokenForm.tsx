/** The field a pairing token is pasted into, and its button (Settings and the pairing page). */
export function TokenForm({ value, onChange, onSubmit, busy = false, primary = false }: { value: string; onChange: (text: string) => void; onSubmit: () => void; busy?: boolean; primary?: boolean }) {
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <input type="password" value={value} onChange={(e) => onChange(e.target.value)} placeholder="pairing token" aria-label="pairing token" size={40} autoComplete="off" />
      <button type="submit" className={primary ? 'primary' : undefined} disabled={busy}>
        pair
      </button>
    </form>
  );
}
