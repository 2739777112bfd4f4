// Writes the CSS rules that plotly.js would otherwise inject as an inline <style> element
// (blocked by the site's content security policy) as a plain stylesheet.
// Usage: node scripts/extract_plotly_css.js static/vendor/plotly/plotly-basic.min.js
const fs = require("fs");
const vm = require("vm");

const bundle = fs.readFileSync(process.argv[2], "utf8");
const version = bundle.match(/plotly\.js \(basic - minified\) (v[\d.]+)/)[1];
// The rules are one object literal, keyed by selector, in front of the loop that adds them.
const loop = bundle.search(/for\(\w+ in \w+\)\w+=\w+\.replace\(\/\^,\//);
const name = bundle.slice(loop).match(/for\(\w+ in (\w+)\)/)[1];
const start = bundle.lastIndexOf(`${name}={`, loop) + name.length + 1;
// A literal of strings only, evaluated in an empty context.
const literal = bundle.slice(start, bundle.indexOf("};", start) + 1);
const rules = vm.runInNewContext(`(${literal})`, {});
const lines = Object.entries(rules).map(([key, body]) => {
  const selector = key
    .replace(/^,/, " ,")
    .replace(/X/g, ".js-plotly-plot .plotly")
    .replace(/Y/g, ".plotly-notifier");
  return `${selector}{${body}}`;
});
// plotly.js inserts each rule at the top of its sheet, so the last one comes first.
lines.reverse();
process.stdout.write(
  `/* The stylesheet of plotly.js ${version} (MIT licence, static/vendor/plotly/LICENSE), taken\n` +
    "   from its bundle by scripts/extract_plotly_css.js. */\n" +
    lines.join("\n") +
    "\n",
);
