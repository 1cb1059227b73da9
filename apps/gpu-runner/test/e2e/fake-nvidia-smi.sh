#!/bin/sh
# Stands in for nvidia-smi on a host without GPUs: two A10s, as `--format=csv,noheader,nounits` prints them.
echo "0, NVIDIA A10, GPU-11111111-2222-3333-4444-555555555555, 23028, 5120, 63"
echo "1, NVIDIA A10, GPU-66666666-7777-8888-9999-000000000000, 23028, 812, 7"
