/* The style page of a dataset: the preview beside the form follows its fields as they change. */
const form = document.getElementById("style-form");
const preview = document.getElementById("style-preview");

if (form && preview) {
  const family = preview.dataset.family;
  const value = (name) => {
    const field = form.elements[name];
    return field ? field.value : "";
  };
  const draw = () => {
    const opacity = parseFloat(value("opacity")) || 1;
    preview.querySelectorAll("#preview-shape, .preview-extra").forEach((shape) => {
      shape.setAttribute("stroke", value("line_color"));
      shape.setAttribute("stroke-width", value("line_width"));
      shape.setAttribute("stroke-opacity", opacity);
      if (family === "line") return;
      shape.setAttribute("fill", value("fill_color"));
      const fill = family === "point" ? opacity : (parseFloat(value("fill_opacity")) || 0) * opacity;
      shape.setAttribute("fill-opacity", fill);
      if (family === "point") shape.setAttribute("r", value("circle_radius"));
    });
  };
  form.addEventListener("input", draw);
  draw();
}
