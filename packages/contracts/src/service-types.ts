import { z } from 'zod';

export const PROPERTY_SERVICE_TYPES = [
  'get_molecule_property',
  'get_protein_property',
  'get_crystal_property',
] as const;
export const WORK_SERVICE_TYPES = [...PROPERTY_SERVICE_TYPES, 'generate_data'] as const;
export const SERVICE_TYPES = [...WORK_SERVICE_TYPES, 'get_result'] as const;

export const WorkServiceType = z.enum(WORK_SERVICE_TYPES);
export type WorkServiceType = z.infer<typeof WorkServiceType>;

/** The two service kinds; each has its own BullMQ queue so they scale and report apart. */
export const SERVICE_KINDS = ['property', 'generation'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export function kindOf(serviceType: WorkServiceType): ServiceKind {
  return serviceType === 'generate_data' ? 'generation' : 'property';
}

/** The key each kind has in `/async/stats`. */
export const STATS_KEY: Readonly<Record<ServiceKind, string>> = {
  property: 'property_service',
  generation: 'generation_service',
};
