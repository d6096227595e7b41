"""One Trainer for every variant: loop, schedule, checkpoints, callbacks."""
