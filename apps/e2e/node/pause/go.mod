module local/clipjob-pause

go 1.26.0
