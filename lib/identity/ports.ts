// What authentication needs from the outside world (the directory adapters in lib/store/ implement it).
import type { ApiKeyRecord } from '../core/model';

export interface KeyDirectory {
  getKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  /** Records a key's last use unless it was recorded after `notAfter` (keeps writes rare). */
  touchKey(keyId: string, at: string, notAfter: string): Promise<void>;
}
