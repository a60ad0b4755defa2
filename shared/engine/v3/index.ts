/** Postman Collection v3 (git-native YAML) support: conversion both ways and input limits. */
export { asV21Collection, type ConvertV3Input, type ConvertV3Result, convertV3, isV3Input } from "./convert";
export { checkV3Limits, V3_LIMITS } from "./limits";
export { environmentToV3, type ToV3Options, toV3 } from "./to-v3";
export { V3Error } from "./yaml-file";
