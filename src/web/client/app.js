// Small enhancements for every page of the app. Builds DOM with textContent only.

/** A "Copy" button beside every element marked data-copy. */
for (const el of document.querySelectorAll('[data-copy]')) {
  if (!navigator.clipboard) break;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy secondary';
  button.textContent = 'Copy';
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(el.textContent ?? '');
    button.textContent = 'Copied';
    setTimeout(() => (button.textContent = 'Copy'), 1500);
  });
  el.insertAdjacentElement('afterend', button);
}
