/** Great-circle geometry for sign-in locations. */

const EARTH_RADIUS_KM = 6371.0088;

export interface Place {
  readonly latitude: number;
  readonly longitude: number;
}

/**
 * Haversine distance in km. It works on the sphere, so a hop across the antimeridian
 * (Fiji 178°E → Samoa 172°W) is the ~1,100 km it is, not the 35,000 km a naive longitude
 * difference would give.
 */
export function distanceKm(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
