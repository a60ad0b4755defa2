/** Postman Collection v3 (git-native YAML) support: conversion both ways and input limits. */
export { asV21Collection, type ConvertV3Input, type ConvertV3Result, convertV3 } from "./convert";
export { checkV3Limits, isV3Input, V3_LIMITS } from "./limits";
export { environmentToV3, type ToV3Options, toV3 } from "./to-v3";
export { V3Error } from "./yaml-file";
