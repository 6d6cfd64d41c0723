/** @huggingface/transformers, loaded (and ONNX Runtime set up) on the first call. */
export declare function transformers(): typeof import('@huggingface/transformers');
