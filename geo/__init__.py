"""Administrative units and geometry: unit lists, boundary import, point-in-commune, GeoJSON."""
