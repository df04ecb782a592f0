// "Program it" blocks for beginners: a small Blockly block set (sensors, state, arithmetic,
// comparisons, if, motor command) that generates the same Python a learner would type.
import * as Blockly from "blockly/core";
import "blockly/blocks";
import { pythonGenerator, Order } from "blockly/python";
import * as En from "blockly/msg/en";

Blockly.setLocale(En);

Blockly.common.defineBlocksWithJsonArray([
  {
    type: "rb_controller",
    message0: "controller: each step %1 %2",
    args0: [{ type: "input_dummy" }, { type: "input_statement", name: "BODY" }],
    colour: 230,
    tooltip: "Runs once per step with the sensor readings; must set the motor speed.",
  },
  {
    type: "rb_sensor",
    message0: "%1 sensor",
    args0: [{ type: "field_dropdown", name: "SIDE", options: [["west", "west"], ["east", "east"]] }],
    output: "Number",
    colour: 160,
    tooltip: "Light on that sensor, in suns (1 sun = 1000 W/m²).",
  },
  {
    type: "rb_state",
    message0: "%1",
    args0: [{
      type: "field_dropdown", name: "KEY",
      options: [["panel angle (°)", "angle"], ["step (s)", "dt"]],
    }],
    output: "Number",
    colour: 160,
    tooltip: "The panel's angle now (degrees, positive west), or the seconds between steps.",
  },
  {
    type: "rb_motor",
    message0: "set motor speed to %1 °/s",
    args0: [{ type: "input_value", name: "SPEED", check: "Number" }],
    previousStatement: null,
    colour: 20,
    tooltip: "Positive turns the panel west, negative east. Ends this step.",
  },
]);

pythonGenerator.forBlock.rb_controller = function (block, generator) {
  var body = generator.statementToCode(block, "BODY") || generator.INDENT + "pass\n";
  return "def control(sensors, state):\n" + generator.INDENT + "west, east = sensors\n" + body +
    generator.INDENT + "return 0.0\n";
};
pythonGenerator.forBlock.rb_sensor = function (block) {
  return [block.getFieldValue("SIDE"), Order.ATOMIC];
};
pythonGenerator.forBlock.rb_state = function (block) {
  return ["state['" + block.getFieldValue("KEY") + "']", Order.MEMBER];
};
pythonGenerator.forBlock.rb_motor = function (block, generator) {
  var speed = generator.valueToCode(block, "SPEED", Order.NONE) || "0.0";
  return "return " + speed + "\n";
};

var TOOLBOX = {
  kind: "flyoutToolbox",
  contents: [
    { kind: "block", type: "rb_controller" },
    { kind: "block", type: "rb_sensor" },
    { kind: "block", type: "rb_state" },
    { kind: "block", type: "math_number" },
    { kind: "block", type: "math_arithmetic" },
    { kind: "block", type: "logic_compare" },
    { kind: "block", type: "controls_if" },
    { kind: "block", type: "rb_motor" },
  ],
};

// The site's CSP allows no inline <style>: Blockly's own stay inert, their text is adopted
// as constructed stylesheets instead.
function adoptBlocklyStyles() {
  if (!("adoptedStyleSheets" in document)) return;
  document.querySelectorAll("style").forEach(function (node) {
    if (node.dataset.adopted) return;
    var sheet = new CSSStyleSheet();
    sheet.replaceSync(node.textContent || "");
    document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    node.dataset.adopted = "1";
  });
}

// A starting program: steer by the difference between the sensors (west − east) × 3.
var STARTER = {
  blocks: {
    languageVersion: 0,
    blocks: [{
      type: "rb_controller", x: 20, y: 20,
      inputs: { BODY: { block: {
        type: "rb_motor",
        inputs: { SPEED: { block: {
          type: "math_arithmetic", fields: { OP: "MULTIPLY" },
          inputs: {
            A: { block: { type: "math_arithmetic", fields: { OP: "MINUS" }, inputs: {
              A: { block: { type: "rb_sensor", fields: { SIDE: "west" } } },
              B: { block: { type: "rb_sensor", fields: { SIDE: "east" } } },
            } } },
            B: { block: { type: "math_number", fields: { NUM: 100 } } },
          },
        } } },
      } } },
    }],
  },
};

function attach(element, onCode, media) {
  // media: the site's own copy of Blockly's images (never Blockly's default CDN address).
  var workspace = Blockly.inject(element, {
    toolbox: TOOLBOX, trashcan: true, scrollbars: true, sounds: false, media: media,
  });
  adoptBlocklyStyles();
  Blockly.serialization.workspaces.load(STARTER, workspace);
  function update(event) {
    if (event && event.isUiEvent) return;
    var root = workspace.getTopBlocks(true).filter(function (b) { return b.type === "rb_controller"; })[0];
    if (!root) return;
    pythonGenerator.init(workspace);
    var code = pythonGenerator.blockToCode(root);
    onCode(typeof code === "string" ? code : code[0]);
  }
  workspace.addChangeListener(update);
  update(null);
  return workspace;
}

window.RemixbankBlocks = { attach: attach };
