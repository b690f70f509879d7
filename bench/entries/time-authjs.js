// The timing page's module: the start mark first, then the job, then the report.
import './mark.js';
import { session } from './authjs.js';
import { report } from './report.js';

report(session());
