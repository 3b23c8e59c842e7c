// Copies the node and credential icons (light and dark SVGs) into dist/icons.
const { src, dest } = require('gulp');

function buildIcons() {
	return src('icons/*.svg').pipe(dest('dist/icons'));
}

exports['build:icons'] = buildIcons;
exports.default = buildIcons;
