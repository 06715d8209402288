import { defineConfig } from 'vitest/config';
import { pretextTestConfig } from '../../vitest.shared.js';
export default defineConfig(pretextTestConfig());
