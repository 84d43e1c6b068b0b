// A dashboard's tiles can be dragged onto one another: the dragged tile takes the place of the one
// it is dropped on. The drop posts the same tile change as the move buttons (which stay, for the
// keyboard), as a form: the page comes back with the grid packed anew.

const grid = document.querySelector('.tile-grid[data-drag-tiles]');
if (grid) {
  let dragged = null;
  const clearTargets = () => {
    for (const el of grid.querySelectorAll('.drop-target')) el.classList.remove('drop-target');
  };
  const postMove = (tile, onto) => {
    const form = document.createElement('form');
    form.method = 'post';
    form.action = tile.dataset.change;
    for (const [name, value] of [
      ['change', 'move'],
      ['onto', onto.dataset.tile],
    ]) {
      const input = document.createElement('input');
      input.type = 'hidden';
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  };
  for (const tile of grid.querySelectorAll('.tile[data-change]')) {
    tile.addEventListener('dragstart', (event) => {
      dragged = tile;
      tile.classList.add('dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', tile.dataset.tile);
    });
    tile.addEventListener('dragend', () => {
      tile.classList.remove('dragging');
      clearTargets();
      dragged = null;
    });
    tile.addEventListener('dragover', (event) => {
      if (!dragged || dragged === tile) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      tile.classList.add('drop-target');
    });
    tile.addEventListener('dragleave', (event) => {
      if (!tile.contains(event.relatedTarget)) tile.classList.remove('drop-target');
    });
    tile.addEventListener('drop', (event) => {
      event.preventDefault();
      if (dragged && dragged !== tile) postMove(dragged, tile);
    });
  }
}
