// Two clicks for what cannot be undone: the first turns the button into its own confirmation
// ("Really terminate?") for a few seconds, the second acts. No modal dialog: the keyboard stays
// where it was, and a screen reader hears the button's new name.
const CONFIRM_MS = 4_000;

/** True on the confirming click; on the first, asks for it and returns false. */
export function confirmed(button: HTMLButtonElement): boolean {
  if (button.dataset.confirm === 'pending') {
    delete button.dataset.confirm;
    return true;
  }
  const label = button.textContent;
  const aria = button.getAttribute('aria-label');
  button.dataset.confirm = 'pending';
  button.textContent = `Really ${label.toLowerCase()}?`;
  if (aria !== null)
    button.setAttribute('aria-label', `Really ${aria.charAt(0).toLowerCase()}${aria.slice(1)}?`);
  window.setTimeout(() => {
    if (button.dataset.confirm !== 'pending') return;
    delete button.dataset.confirm;
    button.textContent = label;
    if (aria !== null) button.setAttribute('aria-label', aria);
  }, CONFIRM_MS);
  return false;
}
