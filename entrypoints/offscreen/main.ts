import { hostWebLlm } from '../../src/background/offscreen-host';

// Created by the service worker only when a local AI model is used (see offscreen-llm-client.ts).
hostWebLlm();
