// Sun elevation over a day from latitude and day of year (Cooper's declination formula):
// accurate to about a degree, enough to see why summer days are long and high.
"use strict";

const DEG = Math.PI / 180;

function declination(day) {
  return 23.44 * Math.sin((360 / 365) * (284 + day) * DEG);
}

function elevation(latitude, decl, hour) {
  const hourAngle = 15 * (hour - 12);
  const sinEl = Math.sin(latitude * DEG) * Math.sin(decl * DEG) +
    Math.cos(latitude * DEG) * Math.cos(decl * DEG) * Math.cos(hourAngle * DEG);
  return Math.asin(sinEl) / DEG;
}

function draw() {
  const latitude = Number(document.getElementById("latitude").value);
  const day = Number(document.getElementById("day").value);
  document.getElementById("latitude-value").textContent = latitude;
  document.getElementById("day-value").textContent = day;
  const canvas = document.getElementById("chart");
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, mid = h / 2;
  ctx.clearRect(0, 0, w, h);
  ctx.strokeStyle = "#888";
  ctx.beginPath(); ctx.moveTo(0, mid); ctx.lineTo(w, mid); ctx.stroke();
  const decl = declination(day);
  let daylight = 0, highest = -90;
  ctx.strokeStyle = "#e08a00";
  ctx.lineWidth = 3;
  ctx.beginPath();
  for (let i = 0; i <= 288; i++) {
    const hour = i / 12;
    const el = elevation(latitude, decl, hour);
    if (el > 0) daylight += 1 / 12;
    highest = Math.max(highest, el);
    const x = (hour / 24) * w, y = mid - (el / 90) * (mid - 10);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  }
  ctx.stroke();
  document.getElementById("summary").textContent =
    `Daylight: ${daylight.toFixed(1)} h. Highest sun: ${highest.toFixed(1)}° above the horizon.`;
}

for (const id of ["latitude", "day"]) {
  document.getElementById(id).addEventListener("input", draw);
}
draw();
