import { hostOffscreen } from '../../src/offscreen/offscreen-host';

// Created by the service worker only when a local AI model or a downloaded embedding model is used
// (see src/background/offscreen-document.ts).
hostOffscreen();
