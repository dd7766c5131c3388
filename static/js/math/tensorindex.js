// @ts-check
// Positions in a row-major [C, H, W] tensor: (channel, row, column) ↔ the flat index into its data.
// LeNet's flatten of S4 is the same map: unit c·25 + row·5 + column of the 400 is S4[c, row, column].

/**
 * Flat index of (channel, row, column) in a row-major [C, H, W] tensor.
 * @param {number} channel
 * @param {number} row
 * @param {number} column
 * @param {number} height
 * @param {number} width
 * @returns {number}
 */
export function flatIndex(channel, row, column, height, width) {
  return (channel * height + row) * width + column;
}

/**
 * (channel, row, column) of a flat index into a row-major [C, H, W] tensor.
 * @param {number} index
 * @param {number} height
 * @param {number} width
 * @returns {{channel: number, row: number, column: number}}
 */
export function cellOf(index, height, width) {
  const plane = height * width;
  return { channel: Math.floor(index / plane), row: Math.floor((index % plane) / width), column: index % width };
}
