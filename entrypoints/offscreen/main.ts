import { hostWebLlm } from '../../src/offscreen/offscreen-host';

// Created by the service worker only when a local AI model is used (see offscreen-llm-client.ts).
hostWebLlm();
