import { MemoryLogStore } from '../../storage/memory-store';
import { describeLogStore } from './log-store-suite';

describeLogStore('MemoryLogStore', { make: () => new MemoryLogStore(), persistent: false });
